import { appendAudit } from '../../platform/audit';
import { auditActor } from '../auth/auditActor';
import { errors } from '../errors';
import { defineRoute } from '../http/route';
import { domainIdParams, type IdentityDomainRow } from './identityDomainView';

export const deleteIdentityDomain = defineRoute({
  method: 'delete',
  path: '/v1/identity/domains/:id',
  auth: 'tenant',
  summary: 'Remove an e-mail domain (its people no longer find the tenant by e-mail, and SSO required no longer applies to them)',
  tags: ['identity'],
  params: domainIdParams,
  responses: { 204: { description: 'Removed' }, 404: { description: 'No such domain in this tenant' } },
  async handler({ deps, principal, params, req }) {
    await deps.db.withTenant(principal.tenantId, async (trx) => {
      const [removed] = await trx<IdentityDomainRow>('identity_domains').where({ id: params.id }).delete().returning('*');
      if (!removed) throw errors.notFound('Domain');
      await appendAudit(trx, {
        tenantId: principal.tenantId,
        actor: auditActor(principal, req),
        action: 'identity.domain_removed',
        target: { type: 'identity_domain', id: params.id },
        details: { domain: removed.domain },
      });
    });
    return { status: 204 };
  },
});
