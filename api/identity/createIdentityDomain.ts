import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { appendAudit } from '../../platform/audit';
import { isUniqueViolation } from '../../platform/db';
import { DOMAIN_INPUT_PATTERN, newVerificationToken } from '../../platform/identity/domains';
import { auditActor } from '../auth/auditActor';
import { errors } from '../errors';
import { defineRoute } from '../http/route';
import { identityDomainSchema, toIdentityDomainView, type IdentityDomainRow } from './identityDomainView';

export const createIdentityDomain = defineRoute({
  method: 'post',
  path: '/v1/identity/domains',
  auth: 'tenant',
  summary: 'Claim an e-mail domain: answers the DNS TXT record to publish before verifying it',
  tags: ['identity'],
  body: z.strictObject({
    domain: z
      .string()
      .max(253)
      .regex(DOMAIN_INPUT_PATTERN, 'must be a domain name such as example.com')
      .transform((value) => value.toLowerCase().replace(/\.$/, ''))
      .describe('e.g. example.com (any case; a trailing dot is dropped)'),
  }),
  responses: {
    201: { description: 'The domain, pending verification', schema: z.object({ domain: identityDomainSchema }) },
    409: { description: 'The tenant already claimed it (DOMAIN_EXISTS)' },
  },
  async handler({ deps, principal, body, req }) {
    try {
      const row = await deps.db.withTenant(principal.tenantId, async (trx) => {
        const [inserted] = await trx<IdentityDomainRow>('identity_domains')
          .insert({ id: randomUUID(), tenant_id: principal.tenantId, domain: body.domain, verification_token: newVerificationToken() })
          .returning('*');
        await appendAudit(trx, {
          tenantId: principal.tenantId,
          actor: auditActor(principal, req),
          action: 'identity.domain_added',
          target: { type: 'identity_domain', id: inserted!.id },
          details: { domain: body.domain },
        });
        return inserted!;
      });
      return { status: 201, body: { domain: toIdentityDomainView(row) } };
    } catch (error) {
      if (isUniqueViolation(error)) throw errors.conflict('DOMAIN_EXISTS', `${body.domain} is already claimed by this tenant`);
      throw error;
    }
  },
});
