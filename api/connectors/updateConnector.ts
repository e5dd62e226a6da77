import { z } from 'zod';
import { appendAudit } from '../../platform/audit';
import { parseDefinitionType, resolveConnectorTypesAsTenant } from '../../connectors/connectorTypes';
import { findConnectorRow, sealConnectorCredentials, type ConnectorRow } from '../../platform/connectorStore';
import { isUniqueViolation } from '../../platform/db';
import { errors } from '../errors';
import { atLeastOneField } from '../http/patchSchema';
import { defineRoute } from '../http/route';
import { apiKeyActor } from './apiKeyActor';
import { assertConfigUrlsAllowed, connectorDefinition, networkPolicyFor, parseWith } from './connectorInput';
import { connectorIdParams, connectorSchema, toConnectorView } from './connectorView';
import { nonBlankText } from '../http/textFields';

const body = atLeastOneField(
  z.strictObject({
    name: nonBlankText(200).optional(),
    type: z
      .string()
      .min(1)
      .max(64)
      .optional()
      .describe(
        'Moves a connector whose type is a connector definition (`<name>@<version>`) to another version of the same definition; its config is validated again by that version',
      ),
    config: z
      .record(z.string(), z.unknown())
      .optional()
      .describe("Replaces the whole config; validated like on create. Changing a URL field (the type's urlFields) needs `credentials` in the same request"),
    credentials: z.record(z.string(), z.unknown()).optional().describe('Replaces the credentials (write-only); resumes a connector paused by an auth failure'),
  }),
  'give at least one of name, type, config, credentials',
);

export const updateConnector = defineRoute({
  method: 'patch',
  path: '/v1/connectors/:id',
  auth: 'tenant',
  summary: 'Rename a connector, replace its config, or replace its credentials',
  tags: ['connectors'],
  params: connectorIdParams,
  body,
  responses: {
    200: { description: 'The connector', schema: z.object({ connector: connectorSchema }) },
    400: {
      description:
        'Invalid config or credentials (details name the field), a refused URL (URL_NOT_ALLOWED), or a changed URL field without the credentials in the same request (CREDENTIALS_REQUIRED)',
    },
    404: { description: 'No such connector in this tenant' },
    409: { description: 'A connector with this name exists (CONNECTOR_NAME_TAKEN)' },
  },
  async handler({ deps, params, body, principal, req }) {
    const { tenantId } = principal;
    try {
      const row = await deps.db.withTenant(tenantId, async (trx) => {
        const current = await findConnectorRow(trx, tenantId, params.id, { forUpdate: true });
        if (!current) throw errors.notFound('Connector');
        const changes: Record<string, unknown> = {};
        if (body.type !== undefined && body.type !== current.type) {
          const from = parseDefinitionType(current.type);
          const to = parseDefinitionType(body.type);
          if (!from || !to || from.name !== to.name)
            throw errors.badRequest(
              'TYPE_CHANGE_NOT_ALLOWED',
              'Only a connector of a connector definition moves, and only to another version of the same definition',
              [{ path: 'body.type', message: `expected ${from ? `${from.name}@<version>` : current.type}` }],
            );
          changes.type = body.type;
        }
        const definition = await connectorDefinition(deps, tenantId, (changes.type as string | undefined) ?? current.type, trx);
        if (body.name !== undefined) changes.name = body.name;
        if (body.config !== undefined || changes.type !== undefined) {
          const config = parseWith(definition.configSchema, body.config ?? current.config, 'body.config') as Record<string, unknown>;
          // The stored credentials go wherever the URLs point: whoever moves them must hold the credentials.
          const before = definition.configSchema.safeParse(current.config);
          const moved = definition.urlFields.filter(
            (field) => String(config[field] ?? '') !== String((before.success ? (before.data as Record<string, unknown>) : current.config)[field] ?? ''),
          );
          if (moved.length > 0 && body.credentials === undefined) {
            throw errors.badRequest('CREDENTIALS_REQUIRED', `Changing ${moved.join(', ')} needs the connector's credentials in the same request`, [
              { path: 'body.credentials', message: `required when ${moved.join(', ')} change` },
            ]);
          }
          await assertConfigUrlsAllowed(definition, config, await networkPolicyFor(deps, tenantId, trx));
          changes.config = JSON.stringify(config);
        }
        if (body.credentials !== undefined) {
          const credentials = parseWith(definition.credentialsSchema, body.credentials, 'body.credentials');
          Object.assign(changes, await sealConnectorCredentials(trx, deps.vault, tenantId, params.id, credentials));
          if (current.status === 'paused' && current.paused_reason?.startsWith('auth_failed')) {
            Object.assign(changes, { status: 'active', paused_reason: null, paused_at: null });
          }
        }
        const [updated] = await trx<ConnectorRow>('connectors')
          .where({ id: params.id, tenant_id: tenantId })
          .update({ ...changes, updated_at: trx.fn.now() } as never)
          .returning('*');
        await appendAudit(trx, {
          tenantId,
          actor: apiKeyActor(principal, req),
          action: 'connector.updated',
          target: { type: 'connector', id: params.id },
          details: { changed: Object.keys(body), ...(changes.status === 'active' ? { resumed: true } : {}) },
        });
        return updated!;
      });
      await resolveConnectorTypesAsTenant(deps.db, tenantId, [row.type]);
      return { status: 200, body: { connector: toConnectorView(row) } };
    } catch (error) {
      if (isUniqueViolation(error, 'connectors_tenant_name_unique'))
        throw errors.conflict('CONNECTOR_NAME_TAKEN', `A connector named "${body.name}" already exists`);
      throw error;
    }
  },
});
