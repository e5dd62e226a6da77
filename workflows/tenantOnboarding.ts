import { patched, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { HubActivities } from '../activities';
import type { NewTenant } from '../activities/tenants/createTenantActivities';
import { TENANT_SLUG_TAKEN } from './contracts';

/** Input of {@link tenantOnboarding}. The API generates the ids and the key; only its hash is here. */
export interface TenantOnboardingInput {
  tenant: NewTenant;
  apiKey: { keyId: string; name: string; lookupPrefix: string; keyHash: string };
  requestedBy: { type: 'platform_admin'; requestId?: string; ip?: string };
}

export interface TenantOnboardingResult {
  tenantId: string;
  apiKeyId: string;
  adminUserId: string;
}

const { createTenantRecord, createApiKeyRecord, appendAuditEntry, ensureBackupSchedule } = proxyActivities<HubActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 ms', maximumInterval: '10 seconds', maximumAttempts: 10, nonRetryableErrorTypes: [TENANT_SLUG_TAKEN] },
});

/**
 * Creates a tenant: the tenant row with its first admin user, the first admin API key, the
 * audit row and the daily backup schedule. Workflow id `tenant/<slug>/onboarding`.
 */
export async function tenantOnboarding(input: TenantOnboardingInput): Promise<TenantOnboardingResult> {
  const { tenant, apiKey, requestedBy } = input;
  await createTenantRecord(tenant);
  await createApiKeyRecord({ ...apiKey, tenantId: tenant.tenantId, role: 'admin', createdBy: 'platform_admin' });
  await appendAuditEntry({
    tenantId: tenant.tenantId,
    actor: { type: 'platform_admin', requestId: requestedBy.requestId, ip: requestedBy.ip },
    action: 'tenant.created',
    target: { type: 'tenant', id: tenant.tenantId },
    details: { slug: tenant.slug, plan: tenant.plan, adminUserId: tenant.adminUserId, apiKeyId: apiKey.keyId },
    eventKey: `${workflowInfo().workflowId}/tenant.created`,
  });
  // Tenants onboarded since the daily backups (issue 6) get their schedule here; `patched` keeps
  // the histories of earlier onboardings replayable.
  if (patched('daily-backup-schedule')) await ensureBackupSchedule({ tenantId: tenant.tenantId, tenantSlug: tenant.slug });
  return { tenantId: tenant.tenantId, apiKeyId: apiKey.keyId, adminUserId: tenant.adminUserId };
}
