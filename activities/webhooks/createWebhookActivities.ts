import { Context } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { durationMs } from '../../platform/config';
import { uuidFromName } from '../../platform/ids';
import { allowedCidrsOf } from '../../platform/network/tenantAllowances';
import { searchAttributePairs } from '../../platform/temporal/searchAttributes';
import { workflowIds } from '../../platform/temporal/workflowIds';
import { type WebhookAttemptRow, type WebhookDeliveryRow, type WebhookEndpointRow } from '../../platform/webhooks/endpointRow';
import { openWebhookSecret } from '../../platform/webhooks/webhookSecret';
import { createWebhookSender, type SendResult } from '../../platform/webhooks/webhookSender';
import { type ActivityDeps } from '../deps';
import { disableEndpoint } from './disableEndpoint';
import { WORKFLOW_TYPES, type WebhookDeliveryWorkflow } from '../../workflows/contracts';

/** Events fanned out per dispatcher round, and delivery workflows started per round. */
const DISPATCH_BATCH = 500;
const START_CONCURRENCY = 16;

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
  /** The delivery is over: delivered, gone, endpoint disabled or deleted, or attempts exhausted. */
  done: boolean;
  outcome: 'succeeded' | 'already_delivered' | 'failed' | 'gone' | 'refused' | 'endpoint_disabled' | 'exhausted';
  statusCode: number | null;
  /** How long to wait before the next attempt. */
  nextDelayMs: number;
}

const INTERRUPTED = 'the worker stopped during this attempt; whether the receiver got the request is unknown';

/**
 * Outbound webhooks: the dispatcher's fan-out (outbox → deliveries → delivery workflows) and the
 * delivery attempt itself (sign, send, record).
 */
export function createWebhookActivities(deps: Pick<ActivityDeps, 'config' | 'db' | 'logger' | 'vault' | 'metrics' | 'temporal'>) {
  const { config, db, logger, vault, metrics, temporal } = deps;
  const send = createWebhookSender(config);
  const retryDelaysMs = config.WEBHOOK_RETRY_SCHEDULE.map(durationMs);
  const disableAfterMs = durationMs(config.WEBHOOK_DISABLE_AFTER);

  return {
    /**
     * One dispatcher round for a tenant: claims undispatched outbox events (in order, skipping rows
     * another round holds), writes one delivery per event × subscribed enabled endpoint and marks the
     * events dispatched, in one transaction; then starts the delivery workflow of every delivery not
     * yet started (also those a crashed round left), REJECT_DUPLICATE on the delivery's workflow id.
     */
    async dispatchWebhookEvents(input: { tenantId: string; tenantSlug: string }): Promise<DispatchResult> {
      const context = Context.current();
      const fanOut = await db.withTenant(input.tenantId, async (trx) => {
        const events = (await trx('events')
          .where({ tenant_id: input.tenantId })
          .whereNull('dispatched_at')
          .orderBy('seq')
          .limit(DISPATCH_BATCH)
          .forUpdate()
          .skipLocked()
          .select('id', 'type', 'occurred_at')) as Array<{ id: string; type: string; occurred_at: Date }>;
        const endpoints = (await trx('webhook_endpoints')
          .where({ tenant_id: input.tenantId, status: 'enabled' })
          .select('id', 'events', 'created_at')) as Array<Pick<WebhookEndpointRow, 'id' | 'events' | 'created_at'>>;
        const rows = events.flatMap((event) =>
          endpoints
            // An endpoint receives what happens after it was registered, of the types it subscribes to.
            .filter((endpoint) => endpoint.events.includes(event.type) && endpoint.created_at.getTime() <= event.occurred_at.getTime())
            .map((endpoint) => {
              const id = uuidFromName(`webhook-delivery:${endpoint.id}:${event.id}`);
              return {
                id,
                tenant_id: input.tenantId,
                endpoint_id: endpoint.id,
                event_id: event.id,
                event_type: event.type,
                workflow_id: workflowIds.webhookDelivery(input.tenantSlug, id),
              };
            }),
        );
        for (let index = 0; index < rows.length; index += 1_000) {
          await trx('webhook_deliveries')
            .insert(rows.slice(index, index + 1_000))
            .onConflict(['endpoint_id', 'event_id'])
            .ignore();
        }
        if (events.length > 0) {
          await trx('events')
            .whereIn(
              'id',
              events.map((event) => event.id),
            )
            .update({ dispatched_at: trx.fn.now() });
        }
        return { events: events.length, deliveries: rows.length, enabledEndpoints: endpoints.length };
      });

      const unstarted = (await db.withTenant(input.tenantId, (trx) =>
        trx('webhook_deliveries')
          .where({ tenant_id: input.tenantId })
          .whereNull('workflow_started_at')
          .orderBy('created_at')
          .limit(DISPATCH_BATCH)
          .select('id', 'workflow_id', 'event_type', 'endpoint_id'),
      )) as Array<Pick<WebhookDeliveryRow, 'id' | 'workflow_id' | 'event_type' | 'endpoint_id'>>;
      const started: string[] = [];
      const queue = [...unstarted];
      const lanes = Array.from({ length: Math.min(START_CONCURRENCY, queue.length) }, async () => {
        for (let delivery = queue.shift(); delivery; delivery = queue.shift()) {
          try {
            await temporal.workflow.start<WebhookDeliveryWorkflow>(WORKFLOW_TYPES.webhookDelivery, {
              workflowId: delivery.workflow_id,
              taskQueue: context.info.taskQueue,
              args: [{ tenantId: input.tenantId, tenantSlug: input.tenantSlug, deliveryId: delivery.id, retryDelaysMs }],
              workflowIdReusePolicy: 'REJECT_DUPLICATE',
              typedSearchAttributes: searchAttributePairs({ TenantId: input.tenantId, TenantSlug: input.tenantSlug, JobKind: 'webhook_delivery' }),
              staticSummary: `${delivery.event_type} to endpoint ${delivery.endpoint_id}`,
            });
          } catch (error) {
            if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
          }
          started.push(delivery.id);
          context.heartbeat({ started: started.length });
        }
      });
      try {
        await Promise.all(lanes);
      } finally {
        // Record what did start even when a later start failed (the retry skips those).
        if (started.length > 0) {
          await db.withTenant(input.tenantId, (trx) =>
            trx('webhook_deliveries').whereIn('id', started).whereNull('workflow_started_at').update({ workflow_started_at: trx.fn.now() }),
          );
        }
      }
      return {
        dispatched: fanOut.events,
        deliveries: fanOut.deliveries,
        started: started.length,
        more: fanOut.events === DISPATCH_BATCH || unstarted.length === DISPATCH_BATCH,
        enabledEndpoints: fanOut.enabledEndpoints,
        sweepMs: durationMs(config.WEBHOOK_DISPATCH_SWEEP),
      };
    },

    /**
     * One delivery attempt. Before sending: stops if the endpoint is disabled or gone, and returns
     * `already_delivered` without sending if this intent already has a successful attempt (a retried
     * activity after a worker crash). An attempt a lost worker left `in_flight` is marked
     * `interrupted`. After sending: records the attempt, the delivery's state and the endpoint's
     * health in one transaction; a 410 disables the endpoint, and so do failures lasting
     * WEBHOOK_DISABLE_AFTER (the tenant admins are notified).
     *
     * The remaining at-least-once window: if the worker dies after the receiver answered 2xx but
     * before the result is committed, the next attempt sends the same message again (same
     * `webhook-id`, which receivers use to deduplicate). The hub never records two successes.
     */
    async attemptWebhookDelivery(input: AttemptInput): Promise<AttemptResult> {
      const context = Context.current();
      const attemptId = uuidFromName(`webhook-attempt:${input.deliveryId}:${input.intent}:${input.attempt}:${context.info.attempt}`);
      type Prepared =
        | { stop: 'endpoint_disabled' | 'already_delivered' }
        | {
            delivery: WebhookDeliveryRow;
            endpoint: WebhookEndpointRow;
            event: { id: string; type: string; data: unknown; occurred_at: Date };
            secret: string;
            allowedCidrs: string[];
          };
      const prepared = await db.withTenant(input.tenantId, async (trx): Promise<Prepared> => {
        const delivery = (await trx('webhook_deliveries').where({ id: input.deliveryId }).forUpdate().first()) as WebhookDeliveryRow | undefined;
        if (!delivery) return { stop: 'endpoint_disabled' };
        const endpoint = (await trx('webhook_endpoints').where({ id: delivery.endpoint_id }).first()) as WebhookEndpointRow | undefined;
        if (!endpoint || endpoint.status !== 'enabled') {
          await trx('webhook_deliveries')
            .where({ id: delivery.id, status: 'pending' })
            .update({ status: 'cancelled', next_attempt_at: null, updated_at: trx.fn.now() });
          return { stop: 'endpoint_disabled' };
        }
        const succeeded = await trx('webhook_attempts').where({ delivery_id: delivery.id, intent: input.intent, outcome: 'succeeded' }).first('id');
        if (succeeded) return { stop: 'already_delivered' };
        await trx('webhook_attempts')
          .where({ delivery_id: delivery.id, intent: input.intent, outcome: 'in_flight' })
          .whereNot({ id: attemptId })
          .update({ outcome: 'interrupted', error: INTERRUPTED, finished_at: trx.fn.now() });
        await trx('webhook_attempts')
          .insert({
            id: attemptId,
            tenant_id: input.tenantId,
            delivery_id: delivery.id,
            attempt: input.attempt,
            intent: input.intent,
            trigger: input.trigger,
            outcome: 'in_flight',
          })
          .onConflict('id')
          .ignore();
        const event = (await trx('events').where({ id: delivery.event_id }).first('id', 'type', 'data', 'occurred_at')) as {
          id: string;
          type: string;
          data: unknown;
          occurred_at: Date;
        };
        const secret = await openWebhookSecret(trx, vault, endpoint);
        return { delivery, endpoint, event, secret, allowedCidrs: await allowedCidrsOf(trx, input.tenantId) };
      });
      if (!('delivery' in prepared)) {
        return { done: true, outcome: prepared.stop, statusCode: null, nextDelayMs: 0 };
      }

      const { delivery, endpoint, event, secret, allowedCidrs } = prepared;
      // The same bytes on every attempt: the payload derives from the stored event only.
      const body = JSON.stringify({ type: event.type, timestamp: event.occurred_at.toISOString(), data: event.data });
      const heartbeat = setInterval(() => context.heartbeat(), 1_000);
      let result: SendResult;
      try {
        result = await send({ url: endpoint.url, secret, messageId: event.id, body, allowedCidrs });
      } finally {
        clearInterval(heartbeat);
      }
      metrics.webhookDeliveries.inc({ outcome: result.outcome });
      metrics.webhookDeliveryDuration.observe({ outcome: result.outcome }, result.latencyMs / 1000);
      if (result.outcome !== 'succeeded')
        logger.info({ deliveryId: delivery.id, endpointId: endpoint.id, statusCode: result.statusCode, error: result.error }, 'webhook attempt failed');

      return db.withTenant(input.tenantId, async (trx) => {
        await trx('webhook_deliveries').where({ id: delivery.id }).forUpdate().first('id');
        let outcome = result.outcome;
        let error = result.error;
        if (outcome === 'succeeded') {
          // Two executions of one attempt raced (a worker presumed dead was not): record one success.
          const other = await trx('webhook_attempts')
            .where({ delivery_id: delivery.id, intent: input.intent, outcome: 'succeeded' })
            .whereNot({ id: attemptId })
            .first('id');
          if (other) {
            outcome = 'failed';
            error = 'duplicate: a concurrent execution of this attempt had already delivered the message';
          }
        }
        const attemptOutcome: WebhookAttemptRow['outcome'] = outcome === 'succeeded' ? 'succeeded' : 'failed';
        await trx('webhook_attempts').where({ id: attemptId }).update({
          outcome: attemptOutcome,
          status_code: result.statusCode,
          latency_ms: result.latencyMs,
          error,
          retry_after_ms: result.retryAfterMs,
          finished_at: trx.fn.now(),
        });

        const now = new Date();
        const delivered = attemptOutcome === 'succeeded';
        const gone = outcome === 'gone';
        const failingSince = delivered ? null : (endpoint.failing_since ?? now);
        const failingTooLong = !delivered && now.getTime() - failingSince!.getTime() >= disableAfterMs;
        const nextDelayMs = Math.max(100, result.retryAfterMs ?? input.plannedDelayMs);
        const done = delivered || gone || failingTooLong || input.final;
        await trx('webhook_deliveries')
          .where({ id: delivery.id })
          .update({
            status: delivered
              ? 'succeeded'
              : done
                ? delivery.status === 'succeeded'
                  ? 'succeeded'
                  : 'failed'
                : delivery.status === 'succeeded'
                  ? 'succeeded'
                  : 'pending',
            attempts: trx.raw('attempts + 1'),
            last_status_code: result.statusCode,
            last_error: error,
            last_attempt_at: trx.fn.now(),
            next_attempt_at: done ? null : new Date(now.getTime() + nextDelayMs),
            succeeded_at: delivered ? trx.fn.now() : delivery.succeeded_at,
            updated_at: trx.fn.now(),
          });
        if (delivered) {
          await trx('webhook_endpoints').where({ id: endpoint.id }).update({ failing_since: null, last_success_at: trx.fn.now() });
        } else {
          await trx('webhook_endpoints')
            .where({ id: endpoint.id })
            .update({ failing_since: trx.raw('coalesce(failing_since, now())'), last_failure_at: trx.fn.now() });
        }
        if (gone || failingTooLong) {
          await disableEndpoint(trx, {
            tenantId: input.tenantId,
            endpoint,
            reason: gone ? 'gone' : 'failing',
            detail: gone ? 'the receiver answered 410 Gone' : `every delivery has failed since ${failingSince!.toISOString()}`,
            eventKey: `webhook-endpoint-disabled:${endpoint.id}:${attemptId}`,
          });
        }
        const resultOutcome: AttemptResult['outcome'] = delivered
          ? 'succeeded'
          : gone
            ? 'gone'
            : done
              ? outcome === 'refused'
                ? 'refused'
                : 'exhausted'
              : outcome === 'refused'
                ? 'refused'
                : 'failed';
        return { done, outcome: resultOutcome, statusCode: result.statusCode, nextDelayMs };
      });
    },
  };
}
