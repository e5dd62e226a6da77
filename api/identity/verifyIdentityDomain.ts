import { z } from 'zod';
import { appendAudit } from '../../platform/audit';
import { isUniqueViolation } from '../../platform/db';
import { checkVerificationRecord } from '../../platform/identity/domains';
import { auditActor } from '../auth/auditActor';
import { errors } from '../errors';
import { defineRoute } from '../http/route';
import { domainIdParams, identityDomainSchema, toIdentityDomainView, type IdentityDomainRow } from './identityDomainView';

export const verifyIdentityDomain = defineRoute({
  method: 'post',
  path: '/v1/identity/domains/:id/verify',
  auth: 'tenant',
  summary: "Check the domain's DNS TXT record now; verified when it carries the token",
  tags: ['identity'],
  params: domainIdParams,
  responses: {
    200: { description: 'The domain after the check (status verified, or pending with lastCheckError)', schema: z.object({ domain: identityDomainSchema }) },
    404: { description: 'No such domain in this tenant' },
    409: { description: 'Another tenant verified this domain first (DOMAIN_TAKEN)' },
  },
  async handler({ deps, principal, params, req }) {
    const current = await deps.db.withTenant(principal.tenantId, (trx) => trx<IdentityDomainRow>('identity_domains').where({ id: params.id }).first());
    if (!current) throw errors.notFound('Domain');
    if (current.verified_at) return { status: 200, body: { domain: toIdentityDomainView(current) } };
    // The DNS question runs outside any transaction (it may take seconds).
    const check = await checkVerificationRecord(deps.config, current.domain, current.verification_token);
    try {
      const row = await deps.db.withTenant(principal.tenantId, async (trx) => {
        const [updated] = await trx('identity_domains')
          .where({ id: params.id })
          .update(
            check.verified
              ? {
                  verified_at: trx.fn.now() as never,
                  verified_by: 'dns',
                  last_checked_at: trx.fn.now() as never,
                  last_check_error: null,
                  updated_at: trx.fn.now() as never,
                }
              : { last_checked_at: trx.fn.now() as never, last_check_error: check.reason, updated_at: trx.fn.now() as never },
          )
          .returning<IdentityDomainRow[]>('*');
        await appendAudit(trx, {
          tenantId: principal.tenantId,
          actor: auditActor(principal, req),
          action: check.verified ? 'identity.domain_verified' : 'identity.domain_verification_failed',
          target: { type: 'identity_domain', id: params.id },
          details: { domain: current.domain, method: 'dns', ...(check.verified ? {} : { reason: check.reason }) },
        });
        return updated!;
      });
      return { status: 200, body: { domain: toIdentityDomainView(row) } };
    } catch (error) {
      if (isUniqueViolation(error, 'identity_domains_verified_once'))
        throw errors.conflict('DOMAIN_TAKEN', `${current.domain} is verified by another organisation`);
      throw error;
    }
  },
});
