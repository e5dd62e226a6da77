import { durationMs } from '../../platform/config';
import { ensureWebhookDrainer } from '../../platform/webhooks/dispatcherControl';
import { type ActivityDeps } from '../deps';
import { createWebhookDrainActivities } from './createWebhookDrainActivities';

export interface DispatchResult {
  dispatched: number;
  deliveries: number;
  started: number;
  /** More undispatched events or unstarted deliveries remain: run another round now. */
  more: boolean;
  enabledEndpoints: number;
  /** WEBHOOK_DISPATCH_SWEEP of the worker, for the dispatcher's idle wait. */
  sweepMs: number;
}

export interface AttemptInput {
  tenantId: string;
  deliveryId: string;
  /** The workflow's attempt number (1-based). */
  attempt: number;
  /** `auto`, or `manual:<retryId>`: each intent succeeds at most once. */
  intent: string;
  trigger: 'automatic' | 'manual';
  /** No attempt follows this one if it fails. */
  final: boolean;
  /** The workflow's jittered wait before the next attempt (a Retry-After replaces it). */
  plannedDelayMs: number;
}

export interface AttemptResult {
  /** The delivery is over for this workflow (`handed_over`: the tenant's drainer delivers it now). */
  done: boolean;
  outcome: 'succeeded' | 'already_delivered' | 'failed' | 'gone' | 'refused' | 'endpoint_disabled' | 'exhausted' | 'handed_over';
  statusCode: number | null;
  /** How long to wait before the next attempt. */
  nextDelayMs: number;
}

/**
 * Outbound webhooks: the drain (the delivery engine, createWebhookDrainActivities) and the two
 * activities of the workflows it replaced. Executions of `webhookDispatcher` and `webhookDelivery`
 * still running after an upgrade end at their next activity, handing their tenant to its drainer:
 * the outbox now fans out in the event's transaction, and pending deliveries are the drainer's.
 */
export function createWebhookActivities(deps: Pick<ActivityDeps, 'config' | 'db' | 'logger' | 'vault' | 'metrics' | 'temporal'>) {
  const { config, db, temporal } = deps;
  return {
    ...createWebhookDrainActivities(deps),

    /** Legacy dispatcher round: starts the tenant's drainer and lets the dispatcher end. */
    async dispatchWebhookEvents(input: { tenantId: string; tenantSlug: string }): Promise<DispatchResult> {
      await ensureWebhookDrainer(temporal, config, input);
      return { dispatched: 0, deliveries: 0, started: 0, more: false, enabledEndpoints: 0, sweepMs: durationMs(config.WEBHOOK_DISPATCH_SWEEP) };
    },

    /** Legacy delivery attempt: the delivery becomes due for the tenant's drainer, and the workflow ends. */
    async attemptWebhookDelivery(input: AttemptInput): Promise<AttemptResult> {
      const tenantSlug = await db.withTenant(input.tenantId, async (trx) => {
        await trx('webhook_deliveries')
          .where({ id: input.deliveryId, status: 'pending' })
          .whereNull('claimed_at')
          .update({ next_attempt_at: trx.raw('coalesce(next_attempt_at, now())'), updated_at: trx.fn.now() });
        return ((await trx('tenants').where({ id: input.tenantId }).first('slug')) as { slug: string } | undefined)?.slug;
      });
      if (tenantSlug) await ensureWebhookDrainer(temporal, config, { tenantId: input.tenantId, tenantSlug });
      return { done: true, outcome: 'handed_over', statusCode: null, nextDelayMs: 0 };
    },
  };
}
