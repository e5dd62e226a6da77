import { type Logger } from '../../platform/logger';
import { listenOnChannel } from '../../platform/sql/listenOnChannel';
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
export function listenForCredentialChanges(options: {
  url: string;
  cache: CredentialCache;
  logger: Logger;
  /** Also told of every tenant change (undefined: anything may have changed). */
  onTenantChange?: (tenantId: string | undefined) => void;
}): InvalidationListener {
  const { cache } = options;
  let markReady: (() => void) | undefined;
  const readyPromise = new Promise<void>((resolve) => (markReady = resolve));
  const listener = listenOnChannel({
    url: options.url,
    channel: AUTH_CHANNEL,
    applicationName: 'hub-api-listen',
    logger: options.logger,
    lostMessage: 'credential cache disabled: invalidation listener lost its connection',
    onNotification(payload) {
      try {
        const change = JSON.parse(payload) as { keyId?: string; tenantId?: string };
        if (change.keyId) cache.invalidateKey(change.keyId);
        if (change.tenantId) {
          cache.invalidateTenant(change.tenantId);
          options.onTenantChange?.(change.tenantId);
        }
      } catch {
        cache.clear();
        options.onTenantChange?.(undefined);
      }
    },
    onListening() {
      cache.setEnabled(true);
      markReady?.();
    },
    onLost() {
      cache.setEnabled(false);
    },
  });

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
      cache.setEnabled(false);
      await listener.stop();
    },
  };
}
