import { ApplicationFailure } from '@temporalio/activity';
import { isUniqueViolation } from '../../platform/db';
import { type ActivityDeps } from '../deps';
import { TENANT_SLUG_TAKEN } from '../../workflows/contracts';

export type Plan = 'starter' | 'professional' | 'enterprise';

export interface NewTenant {
  tenantId: string;
  slug: string;
  name: string;
  plan: Plan;
  adminUserId: string;
  adminEmail: string;
}

export interface NewApiKey {
  tenantId: string;
  keyId: string;
  name: string;
  lookupPrefix: string;
  /** SHA-256 of the secret; the secret itself never enters a workflow. */
  keyHash: string;
  role: 'admin' | 'manager' | 'member' | 'viewer';
  createdBy: string;
}

/** Failure type when the slug belongs to another tenant (not retried; the API answers 409). */
export { TENANT_SLUG_TAKEN };

/** Activities of tenant onboarding. Each is idempotent: a retry after a lost completion is a no-op. */
export function createTenantActivities({ db }: Pick<ActivityDeps, 'db'>) {
  return {
    /** Inserts the tenant row and its first admin user. */
    async createTenantRecord(tenant: NewTenant): Promise<{ created: boolean }> {
      let created = false;
      try {
        await db.withPlatform(async (trx) => {
          const inserted = await trx('tenants')
            .insert({ id: tenant.tenantId, slug: tenant.slug, name: tenant.name, plan: tenant.plan })
            .onConflict('id')
            .ignore()
            .returning('id');
          created = inserted.length > 0;
        });
      } catch (error) {
        if (isUniqueViolation(error, 'tenants_slug_unique')) {
          throw ApplicationFailure.nonRetryable(`tenant slug "${tenant.slug}" is taken`, TENANT_SLUG_TAKEN);
        }
        throw error;
      }
      await db.withTenant(tenant.tenantId, (trx) =>
        trx('users')
          .insert({
            id: tenant.adminUserId,
            tenant_id: tenant.tenantId,
            email: tenant.adminEmail,
            name: tenant.adminEmail.split('@')[0],
            role: 'admin',
            status: 'active',
          })
          .onConflict('id')
          .ignore(),
      );
      return { created };
    },

    /** Stores an API key by lookup prefix and hash. */
    async createApiKeyRecord(key: NewApiKey): Promise<void> {
      await db.withTenant(key.tenantId, (trx) =>
        trx('api_keys')
          .insert({
            id: key.keyId,
            tenant_id: key.tenantId,
            name: key.name,
            key_prefix: key.lookupPrefix,
            key_hash: key.keyHash,
            role: key.role,
            created_by: key.createdBy,
          })
          .onConflict('id')
          .ignore(),
      );
    },
  };
}
