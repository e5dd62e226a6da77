import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { searchAttributePairs } from '../temporal/searchAttributes';
import { workflowIds } from '../temporal/workflowIds';
import { workflowRouting } from '../temporal/taskQueues';
import { type HubConfig } from '../config';
import { eventsPendingSignal, WORKFLOW_TYPES, type WebhookDrainerWorkflow } from '../../workflows/contracts';

export interface TenantRef {
  tenantId: string;
  tenantSlug: string;
}

/**
 * Makes sure the tenant's `webhookDrainer` runs and looks for due deliveries now: signal-with-start,
 * so a running drainer is nudged and a stopped one (it ends when the tenant has no enabled
 * endpoint and nothing due) starts again on the webhooks task queue, with the tenant's fairness key.
 */
export async function ensureWebhookDrainer(client: Client, config: Pick<HubConfig, 'TEMPORAL_TASK_QUEUE'>, tenant: TenantRef): Promise<void> {
  await client.workflow.signalWithStart<WebhookDrainerWorkflow>(WORKFLOW_TYPES.webhookDrainer, {
    workflowId: workflowIds.webhookDrainer(tenant.tenantSlug),
    ...workflowRouting(config, WORKFLOW_TYPES.webhookDrainer, tenant.tenantId),
    args: [{ tenantId: tenant.tenantId, tenantSlug: tenant.tenantSlug }],
    signal: eventsPendingSignal,
    signalArgs: [],
    typedSearchAttributes: searchAttributePairs({ TenantId: tenant.tenantId, TenantSlug: tenant.tenantSlug, JobKind: 'webhook_dispatch' }),
    staticSummary: `Webhook drainer of ${tenant.tenantSlug}`,
  });
}

/**
 * Nudges a running drainer (deliveries were committed). When none runs, starts one
 * (self-healing after a drainer was terminated by hand).
 */
export async function nudgeWebhookDrainer(client: Client, config: Pick<HubConfig, 'TEMPORAL_TASK_QUEUE'>, tenant: TenantRef): Promise<void> {
  try {
    await client.workflow.getHandle(workflowIds.webhookDrainer(tenant.tenantSlug)).signal(eventsPendingSignal);
  } catch (error) {
    if (!(error instanceof WorkflowNotFoundError)) throw error;
    await ensureWebhookDrainer(client, config, tenant);
  }
}
