import { z } from 'zod';
import { errors } from '../errors';
import { defineRoute } from '../http/route';
import { connectorDefinitionViewSchema, definitionIdParams, toDefinitionView, type DefinitionRow, type DefinitionVersionRow } from './definitionView';

export const getConnectorDefinition = defineRoute({
  method: 'get',
  path: '/v1/connector-definitions/:id',
  auth: 'tenant',
  summary: 'One connector definition with its document (the latest version, or `version`)',
  tags: ['connector-definitions'],
  params: definitionIdParams,
  query: z.strictObject({ version: z.coerce.number().int().min(1).optional() }),
  responses: {
    200: { description: 'The definition', schema: z.object({ definition: connectorDefinitionViewSchema }) },
    404: { description: 'No such definition (or version) in this tenant' },
  },
  async handler({ deps, params, query, principal }) {
    const view = await deps.db.withTenant(principal.tenantId, async (trx) => {
      const row = (await trx('connector_definitions').where({ id: params.id }).first()) as DefinitionRow | undefined;
      if (!row) return undefined;
      const versions = (await trx('connector_definition_versions').where({ definition_id: row.id }).orderBy('version')) as DefinitionVersionRow[];
      const shown = versions.find((version) => version.version === (query.version ?? row.latest_version));
      return shown ? toDefinitionView(row, shown, versions) : undefined;
    });
    if (!view) throw errors.notFound('Connector definition');
    return { status: 200, body: { definition: view } };
  },
});
