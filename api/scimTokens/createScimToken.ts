import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { appendAudit } from '../../platform/audit';
import { generateScimToken } from '../../platform/scim/scimTokens';
import { auditActor } from '../auth/auditActor';
import { creatorRef } from '../auth/creatorRef';
import { defineRoute } from '../http/route';
import { scimBaseUrl } from '../scim/scimContext';
import { SCIM_TOKEN_COLUMNS, scimTokenSchema, toScimTokenView, type ScimTokenRow } from './scimTokenView';

export const createScimToken = defineRoute({
  method: 'post',
  path: '/v1/scim-token',
  auth: 'tenant',
  summary: 'Create the tenant’s SCIM token, or rotate it: the previous token stops working at once. The secret is in this answer only',
  tags: ['scim'],
  responses: {
    201: {
      description: 'The new token with its secret (shown once)',
      schema: z.object({
        baseUrl: z.url(),
        token: scimTokenSchema,
        secret: z.string().describe('hub_scim_…: paste it into the identity provider now'),
        rotated: z.boolean(),
      }),
    },
  },
  async handler({ deps, principal, req }) {
    const generated = generateScimToken(principal.tenantId);
    const { row, rotated } = await deps.db.withTenant(principal.tenantId, async (trx) => {
      const previous: Array<{ id: string }> = await trx('scim_tokens').whereNull('revoked_at').update({ revoked_at: trx.fn.now() }).returning('id');
      const [inserted] = await trx('scim_tokens')
        .insert({ id: randomUUID(), tenant_id: principal.tenantId, token_hint: generated.hint, token_hash: generated.hash, created_by: creatorRef(principal) })
        .returning<ScimTokenRow[]>(SCIM_TOKEN_COLUMNS);
      await appendAudit(trx, {
        tenantId: principal.tenantId,
        actor: auditActor(principal, req),
        action: previous.length > 0 ? 'scim_token.rotated' : 'scim_token.created',
        target: { type: 'scim_token', id: inserted!.id },
        details: { hint: generated.hint, ...(previous.length > 0 ? { revokedTokenIds: previous.map((token) => token.id) } : {}) },
      });
      return { row: inserted!, rotated: previous.length > 0 };
    });
    return { status: 201, body: { baseUrl: scimBaseUrl(deps, req), token: toScimTokenView(row), secret: generated.token, rotated } };
  },
});
