import { appendAudit } from '../../platform/audit';
import { apiKeyActor } from '../connectors/apiKeyActor';
import { ApiError, errors } from '../errors';
import { defineRoute } from '../http/route';
import { definitionIdParams, type DefinitionRow } from './definitionView';

export const deleteConnectorDefinition = defineRoute({
  method: 'delete',
  path: '/v1/connector-definitions/:id',
  auth: 'tenant',
  summary: 'Delete a connector definition and all its versions; refused while a connector uses any of them',
  tags: ['connector-definitions'],
  params: definitionIdParams,
  responses: {
    204: { description: 'Deleted' },
    404: { description: 'No such definition in this tenant' },
    409: { description: 'Connectors still use a version (DEFINITION_IN_USE; details list them)' },
  },
  async handler({ deps, params, principal, req }) {
    await deps.db.withTenant(principal.tenantId, async (trx) => {
      const row = (await trx('connector_definitions').where({ id: params.id }).forUpdate().first()) as DefinitionRow | undefined;
      if (!row) throw errors.notFound('Connector definition');
      // Connectors name a version in their type; creating one locks nothing here, so lock the
      // tenant's connectors of this definition while deciding.
      const users = (await trx('connectors').where('type', 'like', `${row.name}@%`).forUpdate().select('id', 'name', 'type')) as Array<{
        id: string;
        name: string;
        type: string;
      }>;
      if (users.length > 0) {
        throw new ApiError(
          409,
          'DEFINITION_IN_USE',
          `${users.length} connector(s) use this definition; delete them or move them off it first`,
          users.map((user) => ({ path: `connectors/${user.id}`, message: `${user.name} (${user.type})` })),
        );
      }
      await trx('connector_definitions').where({ id: row.id }).del();
      await appendAudit(trx, {
        tenantId: principal.tenantId,
        actor: apiKeyActor(principal, req),
        action: 'connector_definition.deleted',
        target: { type: 'connector_definition', id: row.id },
        details: { name: row.name, versions: row.latest_version },
      });
    });
    return { status: 204 };
  },
});
