import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { connectorDefinitionSchema } from '../../connectors/declarative/definitionSchema';
import { connectorRegistry } from '../../connectors/registry';
import { appendAudit } from '../../platform/audit';
import { isUniqueViolation } from '../../platform/db';
import { apiKeyActor } from '../connectors/apiKeyActor';
import { errors } from '../errors';
import { defineRoute } from '../http/route';
import { DEFINITION_CONTENT_TYPES, readDefinitionBody } from './definitionBody';
import { connectorDefinitionViewSchema, toDefinitionView, type DefinitionRow, type DefinitionVersionRow } from './definitionView';

export const createConnectorDefinition = defineRoute({
  method: 'post',
  path: '/v1/connector-definitions',
  auth: 'tenant',
  summary: 'Add a connector definition, or a new version of one (same name); connectors stay on the version they run until moved',
  tags: ['connector-definitions'],
  rawBody: { contentTypes: DEFINITION_CONTENT_TYPES, document: connectorDefinitionSchema },
  responses: {
    201: { description: 'The definition with the version just added', schema: z.object({ definition: connectorDefinitionViewSchema }) },
    400: {
      description:
        'The document is refused: too large (DEFINITION_TOO_LARGE), not JSON/YAML (DEFINITION_UNPARSABLE), hostile (DEFINITION_HOSTILE: prototype keys, depth) or invalid (DEFINITION_INVALID); details name the JSON pointer of each fault',
    },
    409: { description: 'The name is a built-in or shipped connector type (DEFINITION_NAME_RESERVED)' },
    415: { description: 'Neither application/json nor application/yaml' },
  },
  async handler({ deps, principal, req }) {
    const document = await readDefinitionBody(req);
    if (Object.prototype.hasOwnProperty.call(connectorRegistry, document.name))
      throw errors.conflict('DEFINITION_NAME_RESERVED', `"${document.name}" is a connector type of the hub; choose another name`);
    const { tenantId } = principal;
    const hash = createHash('sha256').update(JSON.stringify(document)).digest('hex');
    const attempt = () =>
      deps.db.withTenant(tenantId, async (trx) => {
        let definition = (await trx<DefinitionRow>('connector_definitions').where({ tenant_id: tenantId, name: document.name }).forUpdate().first()) as
          DefinitionRow | undefined;
        if (!definition) {
          [definition] = (await trx('connector_definitions')
            .insert({ id: randomUUID(), tenant_id: tenantId, name: document.name, latest_version: 1, created_by: principal.keyId })
            .returning('*')) as DefinitionRow[];
        } else {
          [definition] = (await trx('connector_definitions')
            .where({ id: definition.id })
            .update({ latest_version: definition.latest_version + 1, updated_at: trx.fn.now() })
            .returning('*')) as DefinitionRow[];
        }
        const [version] = (await trx('connector_definition_versions')
          .insert({
            id: randomUUID(),
            tenant_id: tenantId,
            definition_id: definition!.id,
            version: definition!.latest_version,
            document: JSON.stringify(document),
            document_hash: hash,
            created_by: principal.keyId,
          })
          .returning('*')) as DefinitionVersionRow[];
        const versions = await trx('connector_definition_versions').where({ definition_id: definition!.id }).orderBy('version').select('version', 'created_at');
        await appendAudit(trx, {
          tenantId,
          actor: apiKeyActor(principal, req),
          action: 'connector_definition.created',
          target: { type: 'connector_definition', id: definition!.id },
          details: { name: document.name, version: version!.version, documentHash: hash },
        });
        return toDefinitionView(definition!, version!, versions);
      });
    try {
      return { status: 201, body: { definition: await attempt() } };
    } catch (error) {
      // Two first versions of one name at once: the loser becomes version 2.
      if (isUniqueViolation(error, 'connector_definitions_tenant_name_unique')) return { status: 201, body: { definition: await attempt() } };
      throw error;
    }
  },
});
