import { z } from 'zod';
import { type IdentityConnectionRow } from '../../platform/identity/connections';
import { defineRoute } from '../http/route';
import { identityConnectionSchema, toIdentityConnectionView } from './identityConnectionView';

export const listIdentityConnections = defineRoute({
  method: 'get',
  path: '/v1/identity/connections',
  auth: 'tenant',
  summary: "The tenant's identity provider connections (never a client secret)",
  tags: ['identity'],
  responses: { 200: { description: 'The connections, oldest first', schema: z.object({ data: z.array(identityConnectionSchema) }) } },
  async handler({ deps, principal, req }) {
    const { rows, slug } = await deps.db.withTenant(principal.tenantId, async (trx) => ({
      rows: await trx<IdentityConnectionRow>('identity_connections').orderBy('created_at').select('*'),
      slug: (await trx('tenants').where({ id: principal.tenantId }).first<{ slug: string }>('slug')).slug,
    }));
    return { status: 200, body: { data: rows.map((row) => toIdentityConnectionView(row, { config: deps.config, req, tenantSlug: slug })) } };
  },
});
