import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { connectorRegistry } from '../../connectors/registry';
import { appendAudit } from '../../platform/audit';
import { sealConnectorCredentials, type ConnectorRow } from '../../platform/connectorStore';
import { isUniqueViolation } from '../../platform/db';
import { errors } from '../errors';
import { defineRoute } from '../http/route';
import { apiKeyActor } from './apiKeyActor';
import { assertConfigUrlsAllowed, connectorDefinition, networkPolicyFor, parseWith } from './connectorInput';
import { connectorSchema, toConnectorView } from './connectorView';
import { nonBlankText } from '../http/textFields';

const body = z.strictObject({
  type: z.string().min(1).max(64).describe('A type from GET /v1/connector-types, or one of the tenant’s connector definitions as `<name>@<version>`'),
  name: nonBlankText(200),
  config: z.record(z.string(), z.unknown()).default({}).describe("Validated against the type's configSchema"),
  credentials: z.record(z.string(), z.unknown()).describe("Validated against the type's credentialsSchema; write-only, stored encrypted, never returned"),
});

/** The body as the handler checks it: one shape per registered type, its config and credentials by that type's schemas. */
const documentedBody = z.discriminatedUnion(
  'type',
  Object.values(connectorRegistry).map((definition) =>
    z.strictObject({
      type: z.literal(definition.type).describe(definition.displayName),
      name: body.shape.name,
      config: (definition.configSchema.safeParse({}).success ? definition.configSchema.optional() : definition.configSchema).describe(
        `${definition.displayName} configuration`,
      ),
      credentials: definition.credentialsSchema.describe('Write-only, stored encrypted, never returned'),
    }),
  ) as unknown as [z.ZodObject, ...z.ZodObject[]],
);

export const createConnector = defineRoute({
  method: 'post',
  path: '/v1/connectors',
  auth: 'tenant',
  summary: 'Register a connector; credentials are encrypted (AES-256-GCM envelope) and never returned',
  tags: ['connectors'],
  body,
  documentedBody,
  responses: {
    201: { description: 'The connector (without credentials)', schema: z.object({ connector: connectorSchema }) },
    400: { description: 'Unknown type, invalid config or credentials (details name the field), or a URL the SSRF guard refuses (URL_NOT_ALLOWED)' },
    409: { description: 'A connector with this name exists (CONNECTOR_NAME_TAKEN)' },
  },
  async handler({ deps, body, principal, req }) {
    const definition = await connectorDefinition(deps, principal.tenantId, body.type);
    const config = parseWith(definition.configSchema, body.config, 'body.config') as Record<string, unknown>;
    const credentials = parseWith(definition.credentialsSchema, body.credentials, 'body.credentials');
    await assertConfigUrlsAllowed(definition, config, await networkPolicyFor(deps, principal.tenantId));

    const id = randomUUID();
    const { tenantId } = principal;
    try {
      const row = await deps.db.withTenant(tenantId, async (trx) => {
        const sealed = await sealConnectorCredentials(trx, deps.vault, tenantId, id, credentials);
        const [inserted] = await trx<ConnectorRow>('connectors')
          .insert({
            id,
            tenant_id: tenantId,
            type: definition.type,
            name: body.name,
            config: JSON.stringify(config) as never,
            ...sealed,
            created_by: principal.keyId,
          })
          .returning('*');
        await appendAudit(trx, {
          tenantId,
          actor: apiKeyActor(principal, req),
          action: 'connector.created',
          target: { type: 'connector', id },
          details: { type: definition.type, name: body.name },
        });
        return inserted!;
      });
      return { status: 201, body: { connector: toConnectorView(row) } };
    } catch (error) {
      if (isUniqueViolation(error, 'connectors_tenant_name_unique'))
        throw errors.conflict('CONNECTOR_NAME_TAKEN', `A connector named "${body.name}" already exists`);
      throw error;
    }
  },
});
