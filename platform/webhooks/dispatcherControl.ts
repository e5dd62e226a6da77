import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { searchAttributePairs } from '../temporal/searchAttributes';
import { workflowIds } from '../temporal/workflowIds';
import { eventsPendingSignal, WORKFLOW_TYPES, type WebhookDispatcherWorkflow } from '../../workflows/contracts';

export interface TenantRef {
  tenantId: string;
  tenantSlug: string;
}

/**
 * Makes sure the tenant's `webhookDispatcher` runs and looks at the outbox now: signal-with-start,
 * so a running dispatcher is nudged and a stopped one (it ends when the tenant has no enabled
 * endpoint) starts again on `taskQueue`.
 */
export async function ensureWebhookDispatcher(client: Client, taskQueue: string, tenant: TenantRef): Promise<void> {
  await client.workflow.signalWithStart<WebhookDispatcherWorkflow>(WORKFLOW_TYPES.webhookDispatcher, {
    workflowId: workflowIds.webhookDispatcher(tenant.tenantSlug),
    taskQueue,
    args: [{ tenantId: tenant.tenantId, tenantSlug: tenant.tenantSlug }],
    signal: eventsPendingSignal,
    signalArgs: [],
    typedSearchAttributes: searchAttributePairs({ TenantId: tenant.tenantId, TenantSlug: tenant.tenantSlug, JobKind: 'webhook_dispatch' }),
    staticSummary: `Webhook dispatcher of ${tenant.tenantSlug}`,
  });
}

/**
 * Nudges a running dispatcher (new events committed). When none runs, starts one on `taskQueue`
 * (self-healing after a dispatcher was terminated by hand).
 */
export async function nudgeWebhookDispatcher(client: Client, taskQueue: string, tenant: TenantRef): Promise<void> {
  try {
    await client.workflow.getHandle(workflowIds.webhookDispatcher(tenant.tenantSlug)).signal(eventsPendingSignal);
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
    await ensureWebhookDispatcher(client, taskQueue, tenant);
  }
}
