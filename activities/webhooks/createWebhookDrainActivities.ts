import { Context } from '@temporalio/activity';
import { randomUUID } from 'node:crypto';
import { durationMs } from '../../platform/config';
import { type TenantTransaction } from '../../platform/db';
import { allowedCidrsOf } from '../../platform/network/tenantAllowances';
import { CircuitBreaker, type BreakerSettings } from '../../platform/webhooks/circuitBreaker';
import { waitForWebhookDrainWake } from '../../platform/webhooks/drainWakeups';
import { type WebhookDeliveryRow, type WebhookEndpointRow } from '../../platform/webhooks/endpointRow';
import { openWebhookSecret } from '../../platform/webhooks/webhookSecret';
import { createWebhookSender, type SendResult } from '../../platform/webhooks/webhookSender';
import { TokenBucket } from '../../platform/webhooks/tokenBucket';
import { type WebhookDrainResult } from '../../workflows/contracts';
import { type ActivityDeps } from '../deps';
import { disableEndpoint, reportEndpointFailing } from './disableEndpoint';

const INTERRUPTED = 'the worker stopped during this attempt; whether the receiver got the request is unknown';
/** Endpoint settings and allowances are re-read this often during a drain. */
const REFRESH_MS = 1_000;
/** The longest a drain waits without looking at the database (deliveries committed elsewhere). */
const MAX_WAIT_MS = 1_000;
/** A round waits this long after a wake-up, so results and notifications arriving together share it. */
const BATCH_WINDOW_MS = 5;
/**
 * An attempt still `in_flight` this long after WEBHOOK_TIMEOUT ended its request belongs to a drain
 * that is gone (a live one records its results within a round): only then is it taken over.
 */
const TAKEOVER_MARGIN_MS = 10_000;

/** One endpoint's lane in a drain: its settings, limits and what it has in flight. */
interface Lane {
  endpoint: WebhookEndpointRow;
  secret: string;
  secretOf: string;
  cap: number;
  rate: number | null;
  bucket: TokenBucket;
  breaker: CircuitBreaker;
  inFlight: number;
  disabled: boolean;
}

type ClaimedRow = Pick<WebhookDeliveryRow, 'id' | 'endpoint_id' | 'event_id' | 'attempts' | 'next_intent' | 'next_trigger'> & { next_attempt_at?: Date | null };

interface Claimed extends ClaimedRow {
  attemptId: string;
  lane: Lane;
}

interface Finished {
  claimed: Claimed;
  result: SendResult;
}

type BreakerChange = { lane: Lane; change: 'opened' | 'reopened' | 'closed'; at: number; failureRatio: number };

/**
 * The webhook delivery engine: a drain claims a tenant's due deliveries, sends them and records
 * the results, all in batches. Started and kept alive by the tenant's `webhookDrainer` workflow.
 */
export function createWebhookDrainActivities(deps: Pick<ActivityDeps, 'config' | 'db' | 'logger' | 'vault' | 'metrics'>) {
  const { config, db, logger, vault, metrics } = deps;
  const send = createWebhookSender(config);
  const retryDelaysMs = config.WEBHOOK_RETRY_SCHEDULE.map(durationMs);
  const disableAfterMs = durationMs(config.WEBHOOK_DISABLE_AFTER);
  const takeoverAfterMs = durationMs(config.WEBHOOK_TIMEOUT) + TAKEOVER_MARGIN_MS;
  const breakerSettings: BreakerSettings = {
    windowMs: durationMs(config.WEBHOOK_BREAKER_WINDOW),
    minRequests: config.WEBHOOK_BREAKER_MIN_REQUESTS,
    failureRatio: config.WEBHOOK_BREAKER_FAILURE_RATIO,
    cooldownMs: durationMs(config.WEBHOOK_BREAKER_COOLDOWN),
  };

  return {
    /**
     * Drains a tenant's due deliveries until it has been idle for WEBHOOK_DRAIN_IDLE (or ran for
     * WEBHOOK_DRAIN_RUN). First, attempts a lost drain left `in_flight` become `interrupted` and
     * their deliveries are due again (the at-least-once window: those may reach the receiver
     * twice, with the same `webhook-id`). Then, in a loop, one transaction records the finished
     * attempts (attempt, delivery, endpoint health, next attempt time, 410 and failure
     * disablement, breaker changes) and claims due deliveries (`FOR UPDATE SKIP LOCKED`, each
     * endpoint up to its free slots: concurrency cap, rate limit, breaker; ordered endpoints their
     * oldest undelivered event, one at a time), recording each claimed attempt `in_flight` before
     * it is sent. Sends run concurrently on the sender's keep-alive connections.
     */
    async drainWebhookDeliveries(input: { tenantId: string; tenantSlug: string }): Promise<WebhookDrainResult> {
      const context = Context.current();
      const { tenantId } = input;
      const startedAt = Date.now();
      const runMs = durationMs(config.WEBHOOK_DRAIN_RUN);
      const idleMs = durationMs(config.WEBHOOK_DRAIN_IDLE);
      const lanes = new Map<string, Lane>();
      const finished: Finished[] = [];
      const ownAttempts = new Set<string>();
      const breakerChanges: BreakerChange[] = [];
      let allowedCidrs: string[] = [];
      let refreshedAt = 0;
      let inFlight = 0;
      let sent = 0;
      let stopping = false;
      let wakeLocal: (() => void) | undefined;
      const wake = () => wakeLocal?.();
      context.cancelled.catch(() => {
        stopping = true;
        wake();
      });
      const heartbeat = setInterval(() => context.heartbeat({ sent, inFlight }), 1_000);

      const refresh = async () => {
        await db.withTenant(tenantId, async (trx) => {
          const endpoints = (await trx('webhook_endpoints').where({ tenant_id: tenantId })) as WebhookEndpointRow[];
          const disabled = endpoints.filter((endpoint) => endpoint.status !== 'enabled').map((endpoint) => endpoint.id);
          if (disabled.length > 0) {
            // Deliveries to a disabled endpoint stop (enabling it again does not resume them).
            await trx('webhook_deliveries')
              .whereIn('endpoint_id', disabled)
              .whereNotNull('next_attempt_at')
              .update({
                status: trx.raw(`case when status = 'pending' then 'cancelled' else status end`),
                next_attempt_at: null,
                retry_requested: null,
                updated_at: trx.fn.now(),
              });
          }
          const enabled = new Set<string>();
          for (const endpoint of endpoints) {
            if (endpoint.status !== 'enabled') continue;
            enabled.add(endpoint.id);
            const secretOf = `${endpoint.secret_key_id}:${endpoint.secret_ciphertext}`;
            const lane = lanes.get(endpoint.id);
            const cap = endpoint.ordered ? 1 : (endpoint.max_in_flight ?? config.WEBHOOK_MAX_IN_FLIGHT);
            if (!lane) {
              lanes.set(endpoint.id, {
                endpoint,
                secret: await openWebhookSecret(trx, vault, endpoint),
                secretOf,
                cap,
                rate: endpoint.rate_limit_per_second,
                bucket: new TokenBucket(endpoint.rate_limit_per_second),
                breaker: new CircuitBreaker(breakerSettings, {
                  state: endpoint.breaker_state,
                  openedAt: endpoint.breaker_opened_at ? endpoint.breaker_opened_at.getTime() : null,
                }),
                inFlight: 0,
                disabled: false,
              });
              continue;
            }
            if (lane.secretOf !== secretOf) {
              lane.secret = await openWebhookSecret(trx, vault, endpoint);
              lane.secretOf = secretOf;
            }
            if (lane.rate !== endpoint.rate_limit_per_second) {
              lane.rate = endpoint.rate_limit_per_second;
              lane.bucket = new TokenBucket(lane.rate);
            }
            lane.endpoint = endpoint;
            lane.cap = cap;
            lane.disabled = false;
          }
          for (const [id, lane] of lanes) if (!enabled.has(id)) lane.disabled = true;
          allowedCidrs = await allowedCidrsOf(trx, tenantId);
        });
        refreshedAt = Date.now();
      };

      const start = (claimed: Claimed, event: { id: string; type: string; data: unknown; occurred_at: Date }) => {
        const { lane } = claimed;
        inFlight += 1;
        lane.inFlight += 1;
        ownAttempts.add(claimed.attemptId);
        lane.breaker.started();
        sent += 1;
        // The same bytes on every attempt: the payload derives from the stored event only.
        const body = JSON.stringify({ type: event.type, timestamp: event.occurred_at.toISOString(), data: event.data });
        void send({ url: lane.endpoint.url, secret: lane.secret, messageId: event.id, body, allowedCidrs })
          .catch((error: unknown): SendResult => ({
            outcome: 'failed',
            statusCode: null,
            latencyMs: 0,
            error: (error as Error)?.message ?? String(error),
            retryAfterMs: null,
          }))
          .then((result) => {
            inFlight -= 1;
            lane.inFlight -= 1;
            metrics.webhookDeliveries.inc({ outcome: result.outcome });
            metrics.webhookDeliveryDuration.observe({ outcome: result.outcome }, result.latencyMs / 1000);
            if (result.outcome !== 'succeeded')
              logger.info(
                { deliveryId: claimed.id, endpointId: lane.endpoint.id, statusCode: result.statusCode, error: result.error },
                'webhook attempt failed',
              );
            if (result.outcome !== 'gone') {
              const now = Date.now();
              const ratio = lane.breaker.failureRatio();
              const change = lane.breaker.record(result.outcome === 'succeeded', now);
              if (change) breakerChanges.push({ lane, change, at: now, failureRatio: ratio });
            }
            finished.push({ claimed, result });
            wake();
          });
      };

      try {
        let lastActive = Date.now();
        for (;;) {
          if (Date.now() - refreshedAt >= REFRESH_MS) {
            await refresh();
            if (await recoverLostAttempts(tenantId, ownAttempts)) lastActive = Date.now();
          }
          const now = Date.now();
          const claiming = !stopping && now - startedAt < runMs;
          const wants: Array<{ lane: Lane; limit: number }> = [];
          const free = config.WEBHOOK_DRAIN_CONCURRENCY - inFlight;
          let timerMs = MAX_WAIT_MS;
          if (claiming) {
            for (const lane of lanes.values()) {
              if (lane.disabled || free <= 0) continue;
              const room = Math.min(lane.cap - lane.inFlight, free, lane.bucket.available(now));
              const limit = room > 0 ? lane.breaker.allowance(room, now) : 0;
              const reopens = lane.breaker.reopensInMs(now);
              if (reopens !== null) timerMs = Math.min(timerMs, reopens);
              if (limit <= 0) {
                const token = lane.bucket.nextTokenInMs(now);
                if (token !== null && token > 0 && lane.inFlight < lane.cap) timerMs = Math.min(timerMs, token);
                continue;
              }
              // Every lane asks for its own room; the claim bounds the total by `free` (oldest due
              // first), so lanes beyond the first few still get their turn.
              wants.push({ lane, limit });
            }
          }
          const batch = finished.splice(0);
          const changes = breakerChanges.splice(0);
          let claimed: Array<{ claimed: Claimed; event: { id: string; type: string; data: unknown; occurred_at: Date } }> = [];
          if (batch.length > 0 || changes.length > 0 || wants.length > 0) {
            const round = await db.withTenant(tenantId, async (trx) => {
              if (batch.length > 0) await recordResults(trx, tenantId, batch);
              if (changes.length > 0) await recordBreakerChanges(trx, tenantId, changes);
              return wants.length > 0 ? claim(trx, tenantId, wants, free, inFlight === 0) : { claimed: [], nextDueAt: null };
            });
            claimed = round.claimed;
            for (const entry of batch) ownAttempts.delete(entry.claimed.attemptId);
            if (round.nextDueAt !== null) timerMs = Math.min(timerMs, Math.max(0, round.nextDueAt - Date.now()));
            if (batch.some((entry) => entry.claimed.lane.disabled)) refreshedAt = 0;
          }
          for (const entry of claimed) start(entry.claimed, entry.event);
          if (claimed.length > 0 || batch.length > 0 || inFlight > 0) lastActive = Date.now();
          if (inFlight === 0 && finished.length === 0 && breakerChanges.length === 0 && claimed.length === 0) {
            if (!claiming || Date.now() - lastActive >= idleMs) break;
          }
          if (finished.length > 0) continue;
          const local = new Promise<void>((resolve) => {
            wakeLocal = resolve;
          });
          const remote = waitForWebhookDrainWake(tenantId, Math.max(1, Math.min(timerMs, idleMs)));
          await Promise.race([local, remote.promise]);
          remote.cancel();
          wakeLocal = undefined;
          if (!stopping) await new Promise((resolve) => setTimeout(resolve, BATCH_WINDOW_MS));
        }
      } finally {
        clearInterval(heartbeat);
      }

      return db.withTenant(tenantId, async (trx) => {
        const next = (await trx('webhook_deliveries').where({ tenant_id: tenantId }).whereNotNull('next_attempt_at').min({ at: 'next_attempt_at' }).first()) as
          { at: Date | null } | undefined;
        // Attempts a lost drain left in flight: the next drain takes them over once they are old enough.
        const orphan = (await trx('webhook_attempts').where({ tenant_id: tenantId, outcome: 'in_flight' }).min({ at: 'started_at' }).first()) as
          { at: Date | null } | undefined;
        const enabled = [...lanes.values()].filter((lane) => !lane.disabled);
        const reopen = enabled.map((lane) => lane.breaker.reopensInMs(Date.now())).filter((ms): ms is number => ms !== null);
        const dueIn = next?.at ? Math.max(0, new Date(next.at).getTime() - Date.now()) : null;
        const takeoverIn = orphan?.at ? Math.max(0, new Date(orphan.at).getTime() + takeoverAfterMs - Date.now()) : null;
        const candidates = [...reopen, ...(dueIn === null ? [] : [dueIn]), ...(takeoverIn === null ? [] : [takeoverIn])];
        return {
          sent,
          enabledEndpoints: enabled.length,
          nextDueInMs: candidates.length > 0 ? Math.min(...candidates) : null,
          sweepMs: durationMs(config.WEBHOOK_DISPATCH_SWEEP),
        };
      });
    },
  };

  /**
   * Attempts a lost drain left in flight (older than WEBHOOK_TIMEOUT and a margin, not this drain's
   * own): `interrupted`, and their deliveries due again now. Answers whether there were any.
   */
  async function recoverLostAttempts(tenantId: string, own: ReadonlySet<string>): Promise<boolean> {
    return db.withTenant(tenantId, async (trx) => {
      const lost = (await trx('webhook_attempts')
        .where({ tenant_id: tenantId, outcome: 'in_flight' })
        .whereRaw(`started_at < clock_timestamp() - ?::interval`, [`${takeoverAfterMs} milliseconds`])
        .whereNotIn('id', [...own])
        .update({ outcome: 'interrupted', error: INTERRUPTED, finished_at: trx.fn.now() })
        .returning('delivery_id')) as Array<{ delivery_id: string }>;
      if (lost.length === 0) return false;
      await trx('webhook_deliveries')
        .whereIn('id', [...new Set(lost.map((row) => row.delivery_id))])
        .whereNull('next_attempt_at')
        .whereNotNull('claimed_at')
        .update({ claimed_at: null, next_attempt_at: trx.fn.now(), updated_at: trx.fn.now() });
      logger.info({ tenantId, attempts: lost.length }, 'webhook attempts of a lost drain marked interrupted; sending them again');
      return true;
    });
  }

  /** Claims due deliveries for each wanted lane and records their attempts `in_flight`. */
  async function claim(trx: TenantTransaction, tenantId: string, wants: Array<{ lane: Lane; limit: number }>, free: number, wantNextDue: boolean) {
    const ordered = wants.filter((want) => want.lane.endpoint.ordered);
    const unorderedTotal = Math.max(0, free - ordered.length);
    const unordered = unorderedTotal > 0 ? wants.filter((want) => !want.lane.endpoint.ordered) : [];
    const columns = 'd.id, d.endpoint_id, d.event_id, d.attempts, d.next_intent, d.next_trigger, d.next_attempt_at';
    const rows: ClaimedRow[] = [];
    let nextDueAt: number | null = null;
    if (unordered.length > 0) {
      const result = await trx.raw(
        `select ${columns}
         from jsonb_to_recordset(?::jsonb) as w(endpoint_id uuid, lim int)
         cross join lateral (
           select * from webhook_deliveries d
           where d.endpoint_id = w.endpoint_id and d.next_attempt_at <= clock_timestamp()
           order by d.next_attempt_at
           limit w.lim
           for update of d skip locked
         ) d
         order by d.next_attempt_at
         limit ?`,
        [JSON.stringify(unordered.map((want) => ({ endpoint_id: want.lane.endpoint.id, lim: want.limit }))), unorderedTotal],
      );
      rows.push(...(result.rows as ClaimedRow[]));
      const counts = new Map<string, number>();
      for (const row of result.rows as ClaimedRow[]) counts.set(row.endpoint_id, (counts.get(row.endpoint_id) ?? 0) + 1);
      // Lanes that got fewer than they asked for have nothing more due now: when is their next?
      const drained = unordered.filter((want) => (counts.get(want.lane.endpoint.id) ?? 0) < want.limit).map((want) => want.lane.endpoint.id);
      if (drained.length > 0 && wantNextDue) {
        const next = await trx.raw(
          `select min(next_attempt_at) as at from webhook_deliveries where endpoint_id = any(?::uuid[]) and next_attempt_at is not null`,
          [drained],
        );
        const at = next.rows[0]?.at as Date | null;
        if (at) nextDueAt = new Date(at).getTime();
      }
    }
    if (ordered.length > 0) {
      // The head of each ordered endpoint's line: its oldest undelivered event (or a re-send asked for).
      const result = await trx.raw(
        `select ${columns}
         from jsonb_to_recordset(?::jsonb) as w(endpoint_id uuid)
         cross join lateral (
           select * from webhook_deliveries d
           where d.endpoint_id = w.endpoint_id and (d.status = 'pending' or d.next_attempt_at is not null)
           order by d.event_occurred_at nulls last, d.event_seq nulls last
           limit 1
           for update of d
         ) d`,
        [JSON.stringify(ordered.map((want) => ({ endpoint_id: want.lane.endpoint.id })))],
      );
      const clock = Date.now();
      for (const head of result.rows as ClaimedRow[]) {
        if (!head.next_attempt_at) continue; // in flight
        const due = new Date(head.next_attempt_at).getTime();
        if (due <= clock) rows.push(head);
        else nextDueAt = Math.min(nextDueAt ?? due, due);
      }
    }
    if (rows.length === 0) return { claimed: [], nextDueAt };

    const ids = rows.map((row) => row.id);
    await trx('webhook_deliveries').whereIn('id', ids).update({ next_attempt_at: null, claimed_at: trx.fn.now(), updated_at: trx.fn.now() });
    const laneOf = new Map(wants.map((want) => [want.lane.endpoint.id, want]));
    const claimed: Claimed[] = rows.map((row) => ({ ...row, attemptId: randomUUID(), lane: laneOf.get(row.endpoint_id)!.lane }));
    await trx('webhook_attempts').insert(
      claimed.map((row) => ({
        id: row.attemptId,
        tenant_id: tenantId,
        delivery_id: row.id,
        attempt: row.attempts + 1,
        intent: row.next_intent,
        trigger: row.next_trigger,
        outcome: 'in_flight',
      })),
    );
    for (const want of wants) want.lane.bucket.take(claimed.filter((row) => row.lane === want.lane).length);
    const events = (await trx('events')
      .whereIn('id', [...new Set(claimed.map((row) => row.event_id))])
      .select('id', 'type', 'data', 'occurred_at')) as Array<{
      id: string;
      type: string;
      data: unknown;
      occurred_at: Date;
    }>;
    const eventOf = new Map(events.map((event) => [event.id, event]));
    return { claimed: claimed.map((row) => ({ claimed: row, event: eventOf.get(row.event_id)! })), nextDueAt };
  }

  /**
   * Records finished attempts in one go: the attempts, their deliveries (status, counters, next
   * attempt time with the schedule's jitter or the receiver's Retry-After; a re-send asked for
   * meanwhile), endpoint health, and disablement on 410 or failures lasting WEBHOOK_DISABLE_AFTER.
   */
  async function recordResults(trx: TenantTransaction, tenantId: string, batch: Finished[]): Promise<void> {
    const ids = batch.map((entry) => entry.claimed.id);
    const current = (await trx('webhook_deliveries').whereIn('id', ids).forUpdate().select('id', 'status', 'retry_requested')) as Array<
      Pick<WebhookDeliveryRow, 'id' | 'status' | 'retry_requested'>
    >;
    const currentOf = new Map(current.map((row) => [row.id, row]));
    const succeededBefore = new Set(
      (
        (await trx('webhook_attempts').whereIn('delivery_id', ids).where({ outcome: 'succeeded' }).select('delivery_id', 'intent')) as Array<{
          delivery_id: string;
          intent: string;
        }>
      ).map((row) => `${row.delivery_id}:${row.intent}`),
    );
    const now = Date.now();
    const attempts: unknown[] = [];
    const deliveries: unknown[] = [];
    const health = new Map<string, { ok: boolean; failed: boolean; lane: Lane }>();
    const disables: Array<{ lane: Lane; reason: 'gone' | 'failing'; attemptId: string }> = [];
    for (const { claimed, result } of batch) {
      const row = currentOf.get(claimed.id);
      let error = result.error;
      let ok = result.outcome === 'succeeded';
      if (ok && succeededBefore.has(`${claimed.id}:${claimed.next_intent}`)) {
        ok = false;
        error = 'duplicate: this message had already been delivered (an attempt thought lost was not)';
      }
      attempts.push({
        id: claimed.attemptId,
        outcome: ok ? 'succeeded' : 'failed',
        status_code: result.statusCode,
        latency_ms: result.latencyMs,
        error,
        retry_after_ms: result.retryAfterMs,
      });
      if (!row) continue; // the endpoint (and its deliveries) were deleted meanwhile
      const attemptNumber = claimed.attempts + 1;
      const final = claimed.next_intent !== 'auto' || attemptNumber > retryDelaysMs.length;
      const gone = result.outcome === 'gone';
      const failingSince = claimed.lane.endpoint.failing_since;
      const failingTooLong = !ok && failingSince !== null && now - failingSince.getTime() >= disableAfterMs;
      // Jitter spreads the retries of many deliveries that failed together.
      const planned = final ? 0 : Math.round(retryDelaysMs[attemptNumber - 1]! * (0.8 + Math.random() * 0.4));
      const nextDelayMs = Math.max(100, result.retryAfterMs ?? planned);
      const done = ok || gone || failingTooLong || final;
      const status = ok ? 'succeeded' : row.status === 'succeeded' ? 'succeeded' : done ? 'failed' : 'pending';
      let next: { at: Date | null; intent: string; trigger: 'automatic' | 'manual' } = done
        ? { at: null, intent: 'auto', trigger: 'automatic' }
        : { at: new Date(now + nextDelayMs), intent: 'auto', trigger: 'automatic' };
      if (row.retry_requested && !gone && !failingTooLong) {
        // A re-send asked for while this attempt was in flight: at once.
        next = done
          ? { at: new Date(now), intent: `manual:${row.retry_requested}`, trigger: 'manual' }
          : { at: new Date(now), intent: 'auto', trigger: 'manual' };
      }
      deliveries.push({
        id: claimed.id,
        status,
        status_code: result.statusCode,
        error,
        next_attempt_at: next.at?.toISOString() ?? null,
        next_intent: next.intent,
        next_trigger: next.trigger,
        delivered: ok,
      });
      const endpointHealth = health.get(claimed.endpoint_id) ?? { ok: false, failed: false, lane: claimed.lane };
      if (ok) endpointHealth.ok = true;
      else endpointHealth.failed = true;
      health.set(claimed.endpoint_id, endpointHealth);
      if (gone || failingTooLong) disables.push({ lane: claimed.lane, reason: gone ? 'gone' : 'failing', attemptId: claimed.attemptId });
    }
    await trx.raw(
      `update webhook_attempts a set outcome = v.outcome, status_code = v.status_code, latency_ms = v.latency_ms, error = v.error,
         retry_after_ms = v.retry_after_ms, finished_at = now()
       from jsonb_to_recordset(?::jsonb) as v(id uuid, outcome text, status_code int, latency_ms real, error text, retry_after_ms int)
       where a.id = v.id and a.outcome = 'in_flight'`,
      [JSON.stringify(attempts)],
    );
    if (deliveries.length > 0) {
      await trx.raw(
        `update webhook_deliveries d set status = v.status, attempts = d.attempts + 1, last_status_code = v.status_code, last_error = v.error,
           last_attempt_at = now(), next_attempt_at = v.next_attempt_at, next_intent = v.next_intent, next_trigger = v.next_trigger,
           retry_requested = null, claimed_at = null, succeeded_at = case when v.delivered then now() else d.succeeded_at end, updated_at = now()
         from jsonb_to_recordset(?::jsonb) as v(id uuid, status text, status_code int, error text, next_attempt_at timestamptz, next_intent text,
           next_trigger text, delivered boolean)
         where d.id = v.id`,
        [JSON.stringify(deliveries)],
      );
    }
    for (const [endpointId, { ok, failed, lane }] of health) {
      if (ok) {
        await trx('webhook_endpoints')
          .where({ id: endpointId })
          .update({ failing_since: null, last_success_at: trx.fn.now(), ...(failed ? { last_failure_at: trx.fn.now() } : {}) });
        lane.endpoint.failing_since = null;
      } else {
        await trx('webhook_endpoints')
          .where({ id: endpointId })
          .update({ failing_since: trx.raw('coalesce(failing_since, now())'), last_failure_at: trx.fn.now() });
        lane.endpoint.failing_since ??= new Date(now);
      }
    }
    for (const { lane, reason, attemptId } of disables) {
      if (lane.disabled) continue;
      lane.disabled = true;
      await disableEndpoint(trx, {
        tenantId,
        endpoint: lane.endpoint,
        reason,
        detail: reason === 'gone' ? 'the receiver answered 410 Gone' : `every delivery has failed since ${lane.endpoint.failing_since!.toISOString()}`,
        eventKey: `webhook-endpoint-disabled:${lane.endpoint.id}:${attemptId}`,
      });
    }
  }

  /** Breaker transitions: stored on the endpoint; an opening tells the tenant (`webhook.endpoint.failing`, audit). */
  async function recordBreakerChanges(trx: TenantTransaction, tenantId: string, changes: BreakerChange[]): Promise<void> {
    for (const { lane, change, at, failureRatio } of changes) {
      const open = change !== 'closed';
      await trx('webhook_endpoints')
        .where({ id: lane.endpoint.id })
        .update({ breaker_state: open ? 'open' : 'closed', breaker_opened_at: open ? new Date(at) : null });
      if (change === 'opened') {
        await reportEndpointFailing(trx, {
          tenantId,
          endpoint: lane.endpoint,
          failureRatio,
          windowMs: breakerSettings.windowMs,
          retryInMs: breakerSettings.cooldownMs,
          eventKey: `webhook-endpoint-failing:${lane.endpoint.id}:${at}`,
        });
      }
    }
  }
}
