import { z } from 'zod';
import { defineRoute } from '../http/route';
import { scimBaseUrl } from '../scim/scimContext';
import { SCIM_TOKEN_COLUMNS, scimTokenSchema, toScimTokenView, type ScimTokenRow } from './scimTokenView';

export const getScimToken = defineRoute({
  method: 'get',
  path: '/v1/scim-token',
  auth: 'tenant',
  summary: 'The SCIM service’s base URL and the live SCIM token (never its secret), if there is one',
  tags: ['scim'],
  responses: {
    200: { description: 'The base URL and the token or null', schema: z.object({ baseUrl: z.url(), token: scimTokenSchema.nullable() }) },
  },
  async handler({ deps, principal, req }) {
    const row = await deps.db.withTenant(principal.tenantId, (trx) =>
      trx('scim_tokens').whereNull('revoked_at').first<ScimTokenRow | undefined>(SCIM_TOKEN_COLUMNS),
    );
    return { status: 200, body: { baseUrl: scimBaseUrl(deps, req), token: row ? toScimTokenView(row) : null } };
  },
});
