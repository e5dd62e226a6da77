import { z } from 'zod';
import { defineRoute } from '../http/route';
import { identityDomainSchema, toIdentityDomainView, type IdentityDomainRow } from './identityDomainView';

export const listIdentityDomains = defineRoute({
  method: 'get',
  path: '/v1/identity/domains',
  auth: 'tenant',
  summary: "The tenant's e-mail domains and their verification status",
  tags: ['identity'],
  responses: { 200: { description: 'The domains', schema: z.object({ data: z.array(identityDomainSchema) }) } },
  async handler({ deps, principal }) {
    const rows = await deps.db.withTenant(principal.tenantId, (trx) => trx<IdentityDomainRow>('identity_domains').orderBy('domain').select('*'));
    return { status: 200, body: { data: rows.map(toIdentityDomainView) } };
  },
});
