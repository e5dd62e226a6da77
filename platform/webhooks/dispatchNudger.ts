import { Client } from '@temporalio/client';
import { type NativeConnection } from '@temporalio/worker';
import { Client as PgClient } from 'pg';
import { type HubConfig } from '../config';
import { type Logger } from '../logger';
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
export function startWebhookDispatchNudger(options: { config: HubConfig; url: string; connection: NativeConnection; logger: Logger }): { stop(): Promise<void> } {
  const { config, logger } = options;
  const client = new Client({ connection: options.connection, namespace: config.TEMPORAL_NAMESPACE });
  const pending = new Map<string, TenantRef>();
  let flushTimer: NodeJS.Timeout | undefined;
  let pg: PgClient | undefined;
  let stopped = false;
  let attempt = 0;
  let retryTimer: NodeJS.Timeout | undefined;

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

  const fail = (error: unknown) => {
    const current = pg;
    pg = undefined;
    current?.removeAllListeners();
    current?.on('error', () => undefined);
    void current?.end().catch(() => undefined);
    if (stopped) return;
    attempt += 1;
    const delay = Math.min(30_000, 250 * 2 ** Math.min(attempt, 7));
    logger.warn({ err: error, retryInMs: delay }, 'webhook nudger lost its connection; dispatchers fall back to their sweep meanwhile');
    retryTimer = setTimeout(() => void connect(), delay);
    retryTimer.unref();
  };

  const connect = async () => {
    if (stopped) return;
    const next = new PgClient({ connectionString: options.url, application_name: 'hub-worker-webhooks', connectionTimeoutMillis: 5_000 });
    pg = next;
    next.on('error', fail);
    next.on('end', () => {
      if (pg === next) fail(new Error('connection ended'));
    });
    next.on('notification', (message) => {
      if (message.channel !== WEBHOOK_EVENTS_CHANNEL || !message.payload) return;
      try {
        const tenant = JSON.parse(message.payload) as TenantRef;
        if (!tenant.tenantId || !tenant.tenantSlug) return;
        pending.set(tenant.tenantId, tenant);
        flushTimer ??= setTimeout(flush, 20);
      } catch {
        // not ours
      }
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${WEBHOOK_EVENTS_CHANNEL}`);
      attempt = 0;
    } catch (error) {
      if (pg === next) fail(error);
    }
  };

  void connect();
  return {
    async stop() {
      stopped = true;
      clearTimeout(retryTimer);
      clearTimeout(flushTimer);
      const current = pg;
      pg = undefined;
      if (current) {
        current.removeAllListeners();
        current.on('error', () => undefined);
        await current.end().catch(() => undefined);
      }
    },
  };
}
