import { Client } from '@temporalio/client';
import { type NativeConnection } from '@temporalio/worker';
import { type HubConfig } from '../config';
import { type Logger } from '../logger';
import { listenOnChannel } from '../sql/listenOnChannel';
import { hubDataConverterFromConfig } from '../temporal/payloadEncryption';
import { nudgeWebhookDrainer, type TenantRef } from './dispatcherControl';
import { wakeWebhookDrain } from './drainWakeups';

/** The channel the outbox trigger notifies when an event has subscribers (migration 20261121080000). */
export const WEBHOOK_EVENTS_CHANNEL = 'hub_webhook_events';

/** A busy tenant's drainer is signalled at most this often (a running drain polls meanwhile). */
const SIGNAL_EVERY_MS = 500;

/**
 * Wakes tenants' webhook drainers as soon as deliveries commit: one dedicated connection per worker
 * process LISTENs on `hub_webhook_events` (the outbox trigger notifies at commit, only for events
 * some enabled endpoint subscribes to), wakes a drain running in this process at once, and signals
 * `eventsPending` to the tenant's drainer workflow (coalesced per tenant, at most every 500 ms). A
 * lost notification costs latency only: drains poll, and idle drainers wake at their next due time
 * or every WEBHOOK_DISPATCH_SWEEP.
 */
export function startWebhookDispatchNudger(options: { config: HubConfig; url: string; connection: NativeConnection; logger: Logger }): {
  stop(): Promise<void>;
} {
  const { config, logger } = options;
  const client = new Client({ connection: options.connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter: hubDataConverterFromConfig(config) });
  const pending = new Map<string, TenantRef>();
  const lastSignalAt = new Map<string, number>();
  let flushTimer: NodeJS.Timeout | undefined;
  let stopped = false;

  const flush = () => {
    flushTimer = undefined;
    const now = Date.now();
    let nextDue = Infinity;
    for (const [tenantId, tenant] of [...pending]) {
      const due = (lastSignalAt.get(tenantId) ?? 0) + SIGNAL_EVERY_MS;
      if (due > now) {
        nextDue = Math.min(nextDue, due);
        continue;
      }
      pending.delete(tenantId);
      lastSignalAt.set(tenantId, now);
      nudgeWebhookDrainer(client, config, tenant).catch((error: unknown) => {
        if (!stopped) logger.warn({ err: error, tenantId: tenant.tenantId }, 'could not nudge the webhook drainer (it wakes at its next due time)');
      });
    }
    if (lastSignalAt.size > 10_000) for (const [tenantId, at] of lastSignalAt) if (at < now - SIGNAL_EVERY_MS) lastSignalAt.delete(tenantId);
    if (nextDue !== Infinity && !stopped) flushTimer = setTimeout(flush, nextDue - now);
  };

  const listener = listenOnChannel({
    url: options.url,
    channel: WEBHOOK_EVENTS_CHANNEL,
    applicationName: 'hub-worker-webhooks',
    logger,
    lostMessage: 'webhook nudger lost its connection; dispatchers fall back to their sweep meanwhile',
    onNotification(payload) {
      try {
        const tenant = JSON.parse(payload) as TenantRef;
        if (!tenant.tenantId || !tenant.tenantSlug) return;
        wakeWebhookDrain(tenant.tenantId);
        pending.set(tenant.tenantId, tenant);
        flushTimer ??= setTimeout(flush, 20);
      } catch {
        // not ours
      }
    },
  });

  return {
    async stop() {
      stopped = true;
      clearTimeout(flushTimer);
      await listener.stop();
    },
  };
}
