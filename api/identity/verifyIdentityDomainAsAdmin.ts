import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { appendAudit } from '../../platform/audit';
import { isUniqueViolation } from '../../platform/db';
import { DOMAIN_INPUT_PATTERN, newVerificationToken } from '../../platform/identity/domains';
import { errors } from '../errors';
import { defineRoute } from '../http/route';
import { identityDomainSchema, toIdentityDomainView, type IdentityDomainRow } from './identityDomainView';

/** The platform admin's manual override: a tenant whose DNS cannot carry the TXT record (checked some other way). */
export const verifyIdentityDomainAsAdmin = defineRoute({
  method: 'put',
  path: '/v1/admin/tenants/:id/identity-domains/:domain',
  auth: 'admin',
  summary: "Mark a tenant's e-mail domain verified without DNS (platform admin override; claims the domain when the tenant has not)",
  tags: ['admin'],
  params: z.strictObject({
    id: z.uuid(),
    domain: z
      .string()
      .max(253)
      .regex(DOMAIN_INPUT_PATTERN, 'must be a domain name such as example.com')
      .transform((value) => value.toLowerCase().replace(/\.$/, '')),
  }),
  responses: {
    200: { description: 'The domain, verified', schema: z.object({ domain: identityDomainSchema }) },
    404: { description: 'No such tenant' },
    409: { description: 'Another tenant verified this domain (DOMAIN_TAKEN)' },
  },
  async handler({ deps, params, req }) {
    const exists = await deps.db.withPlatform((trx) => trx('tenants').where({ id: params.id }).first('id'));
    if (!exists) throw errors.notFound('Tenant');
    try {
      const row = await deps.db.withTenant(params.id, async (trx) => {
        const [upserted] = (
          await trx.raw(
            `insert into identity_domains (id, tenant_id, domain, verification_token, verified_at, verified_by) values (?, ?, ?, ?, now(), 'platform_admin')
             on conflict (tenant_id, domain) do update set verified_at = coalesce(identity_domains.verified_at, now()),
               verified_by = coalesce(identity_domains.verified_by, 'platform_admin'), updated_at = now()
             returning *`,
            [randomUUID(), params.id, params.domain, newVerificationToken()],
          )
        ).rows as IdentityDomainRow[];
        await appendAudit(trx, {
          tenantId: params.id,
          actor: { type: 'platform_admin', ip: req.ip, requestId: String(req.id ?? '') || undefined },
          action: 'identity.domain_verified',
          target: { type: 'identity_domain', id: upserted!.id },
          details: { domain: params.domain, method: 'platform_admin' },
        });
        return upserted!;
      });
      return { status: 200, body: { domain: toIdentityDomainView(row) } };
    } catch (error) {
      if (isUniqueViolation(error, 'identity_domains_verified_once'))
        throw errors.conflict('DOMAIN_TAKEN', `${params.domain} is verified by another organisation`);
      throw error;
    }
  },
});
