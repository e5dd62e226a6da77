import { Client } from '@temporalio/client';
import { type NativeConnection } from '@temporalio/worker';
import { type HubConfig } from '../config';
import { type Logger } from '../logger';
import { listenOnChannel } from '../sql/listenOnChannel';
import { hubDataConverterFromConfig } from '../temporal/payloadEncryption';
import { nudgeWebhookDispatcher, type TenantRef } from './dispatcherControl';

/** The channel the outbox trigger notifies when an event has subscribers (migration 20261121080000). */
export const WEBHOOK_EVENTS_CHANNEL = 'hub_webhook_events';

/**
 * Wakes tenants' webhook dispatchers as soon as events commit: one dedicated connection per worker
 * process LISTENs on `hub_webhook_events` (the outbox trigger notifies at commit, only for events
 * some enabled endpoint subscribes to) and signals `eventsPending`. Notifications of a burst are
 * coalesced per tenant. A lost notification costs latency only: dispatchers also sweep the outbox
 * every WEBHOOK_DISPATCH_SWEEP.
 */
export function startWebhookDispatchNudger(options: { config: HubConfig; url: string; connection: NativeConnection; logger: Logger }): {
  stop(): Promise<void>;
} {
  const { config, logger } = options;
  const client = new Client({ connection: options.connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter: hubDataConverterFromConfig(config) });
  const pending = new Map<string, TenantRef>();
  let flushTimer: NodeJS.Timeout | undefined;
  let stopped = false;

  const flush = () => {
    flushTimer = undefined;
    const tenants = [...pending.values()];
    pending.clear();
    for (const tenant of tenants) {
      nudgeWebhookDispatcher(client, config.TEMPORAL_TASK_QUEUE, tenant).catch((error: unknown) => {
        if (!stopped) logger.warn({ err: error, tenantId: tenant.tenantId }, 'could not nudge the webhook dispatcher (its sweep will pick the events up)');
      });
    }
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
