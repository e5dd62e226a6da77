import { Gauge } from 'prom-client';
import { durationMs, type HubConfig } from '../platform/config';
import { appDatabaseUrl, type Database } from '../platform/db';
import { type Logger } from '../platform/logger';
import { UsageRecorder } from '../platform/metering/usageRecorder';
import { type HubMetrics } from '../platform/metrics';
import { CredentialCache } from './auth/credentialCache';
import { listenForCredentialChanges, type InvalidationListener } from './auth/credentialInvalidation';
import { LastUsedTracker } from './auth/lastUsed';
import { AuthFailureThrottle } from './limits/authFailureThrottle';
import { LimitPolicyCache } from './limits/limitPolicyCache';
import { QuotaTracker } from './limits/quotaTracker';
import { TenantRateLimiter } from './limits/tenantRateLimiter';
import { SignInThrottle } from './sessions/signInThrottle';
import { createMailer, type Mailer } from '../platform/mail/mailer';

/**
 * The per-process machinery every tenant request passes through: credential cache (kept honest by
 * LISTEN/NOTIFY), shared rate limits, the monthly quota, buffered usage metering and throttled
 * last-used writes. `start()` before serving, `stop()` after the server closed (it drains usage).
 */
export interface ControlPlane {
  credentials: CredentialCache;
  rateLimiter: TenantRateLimiter;
  quota: QuotaTracker;
  /** Each tenant's settings limits and scheduled raises (LIMIT_POLICY_REFRESH_INTERVAL). */
  limitPolicies: LimitPolicyCache;
  usage: UsageRecorder;
  lastUsed: LastUsedTracker;
  /** Per-address budget of failed authentications, checked before any key lookup. */
  authFailures: AuthFailureThrottle;
  /** Failed console sign-ins per account and per address. */
  signIns: SignInThrottle;
  /** Sends invite and password reset e-mails (SMTP_URL). */
  mailer: Mailer;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createControlPlane(deps: { config: HubConfig; db: Database; logger: Logger; metrics: HubMetrics }): ControlPlane {
  const { config, db, logger, metrics } = deps;
  const credentials = new CredentialCache({ ttlMs: durationMs(config.API_AUTH_CACHE_TTL), maxEntries: 50_000 });
  const usage = new UsageRecorder({
    db,
    logger,
    flushIntervalMs: durationMs(config.USAGE_FLUSH_INTERVAL),
    batchSize: config.USAGE_FLUSH_BATCH,
    maxBuffered: config.USAGE_BUFFER_MAX,
  });
  const quota = new QuotaTracker({ db, logger, refreshMs: durationMs(config.QUOTA_REFRESH_INTERVAL) });
  usage.onFlushed(quota.onFlushed);
  const limitPolicies = new LimitPolicyCache({ db, logger, refreshMs: durationMs(config.LIMIT_POLICY_REFRESH_INTERVAL) });
  const rateLimiter = new TenantRateLimiter({ knex: db.knex, logger, leasesPerWindow: config.RATE_LIMIT_LEASES_PER_WINDOW });
  const lastUsed = new LastUsedTracker({ db, logger, intervalMs: durationMs(config.API_KEY_LAST_USED_INTERVAL) });
  const authFailures = new AuthFailureThrottle({ failures: config.API_AUTH_FAILURES_PER_IP, windowMs: durationMs(config.API_AUTH_FAILURE_WINDOW) });
  const signIns = new SignInThrottle({
    failuresPerAccount: config.SIGN_IN_FAILURES_PER_ACCOUNT,
    failuresPerAddress: config.SIGN_IN_FAILURES_PER_IP,
    windowMs: durationMs(config.SIGN_IN_LOCKOUT),
  });
  const mailer = createMailer(config, logger);

  new Gauge({
    name: 'hub_usage_events_buffered',
    help: 'Usage events waiting to be written',
    registers: [metrics.registry],
    collect() {
      this.set(usage.pending);
    },
  });
  new Gauge({
    name: 'hub_usage_events_dropped',
    help: 'Usage events dropped since start because the buffer was full',
    registers: [metrics.registry],
    collect() {
      this.set(usage.dropped);
    },
  });
  new Gauge({
    name: 'hub_auth_cache_entries',
    help: 'API keys answered from memory',
    registers: [metrics.registry],
    collect() {
      this.set(credentials.size);
    },
  });

  let listener: InvalidationListener | undefined;
  return {
    credentials,
    rateLimiter,
    quota,
    limitPolicies,
    usage,
    lastUsed,
    authFailures,
    signIns,
    mailer,
    async start() {
      usage.start();
      if (durationMs(config.API_AUTH_CACHE_TTL) > 0) {
        listener = listenForCredentialChanges({
          url: appDatabaseUrl(config),
          cache: credentials,
          logger,
          onTenantChange: (tenantId) => (tenantId ? limitPolicies.invalidate(tenantId) : limitPolicies.clear()),
        });
        // Serve at once either way: until LISTEN is active the cache stays off (every request looks up).
        if (!(await listener.ready(2_000))) logger.warn('credential cache starts disabled: the invalidation listener is not connected yet');
      }
    },
    async stop() {
      await listener?.stop();
      await usage.drain();
      await lastUsed.settle();
    },
  };
}
