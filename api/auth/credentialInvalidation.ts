import { Client } from 'pg';
import { type Logger } from '../../platform/logger';
import { type CredentialCache } from './credentialCache';

/** The channel the api_keys and tenants triggers notify on (migration 20261121020000). */
export const AUTH_CHANNEL = 'hub_auth';

export interface InvalidationListener {
  /** Resolves once LISTEN is active (or after `timeoutMs`, with the cache still disabled). */
  ready(timeoutMs: number): Promise<boolean>;
  stop(): Promise<void>;
}

/**
 * Holds one dedicated connection (outside the pool) that LISTENs for credential changes and evicts
 * them from the cache. The cache is enabled only while the connection listens; on any error it is
 * disabled and cleared, and the connection is re-established with backoff.
 */
export function listenForCredentialChanges(options: { url: string; cache: CredentialCache; logger: Logger }): InvalidationListener {
  const { cache, logger } = options;
  let client: Client | undefined;
  let stopped = false;
  let attempt = 0;
  let retryTimer: NodeJS.Timeout | undefined;
  let markReady: (() => void) | undefined;
  const readyPromise = new Promise<void>((resolve) => (markReady = resolve));

  const fail = (error: unknown) => {
    cache.setEnabled(false);
    const current = client;
    client = undefined;
    current?.removeAllListeners();
    current?.on('error', () => undefined);
    void current?.end().catch(() => undefined);
    if (stopped) return;
    attempt += 1;
    const delay = Math.min(30_000, 250 * 2 ** Math.min(attempt, 7));
    logger.warn({ err: error, retryInMs: delay }, 'credential cache disabled: invalidation listener lost its connection');
    retryTimer = setTimeout(() => void connect(), delay);
    retryTimer.unref();
  };

  const connect = async () => {
    if (stopped) return;
    const next = new Client({ connectionString: options.url, application_name: 'hub-api-listen', connectionTimeoutMillis: 5_000 });
    client = next;
    next.on('error', fail);
    next.on('end', () => {
      if (client === next) fail(new Error('connection ended'));
    });
    next.on('notification', (message) => {
      if (message.channel !== AUTH_CHANNEL || !message.payload) return;
      try {
        const payload = JSON.parse(message.payload) as { keyId?: string; tenantId?: string };
        if (payload.keyId) cache.invalidateKey(payload.keyId);
        if (payload.tenantId) cache.invalidateTenant(payload.tenantId);
      } catch {
        cache.clear();
      }
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${AUTH_CHANNEL}`);
      if (client !== next || stopped) return;
      attempt = 0;
      cache.setEnabled(true);
      markReady?.();
    } catch (error) {
      if (client === next) fail(error);
    }
  };

  void connect();

  return {
    async ready(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const ready = await Promise.race([
        readyPromise.then(() => true),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), timeoutMs);
        }),
      ]);
      clearTimeout(timer);
      return ready;
    },
    async stop() {
      stopped = true;
      clearTimeout(retryTimer);
      cache.setEnabled(false);
      const current = client;
      client = undefined;
      if (current) {
        current.removeAllListeners();
        current.on('error', () => undefined);
        await current.end().catch(() => undefined);
      }
    },
  };
}
