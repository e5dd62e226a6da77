import { isIP } from 'node:net';
import { z } from 'zod';
import { isCidr } from './network/addressPolicy';
import { WORK_KINDS, type WorkKind } from './temporal/workKinds';

/**
 * Every setting the hub reads from the environment, in one place.
 *
 * Each process (API, worker, CLI, local stack) calls {@link loadConfig} once at start; a missing or
 * malformed value stops the process with one line naming the variable (see {@link ConfigError}).
 * The README's configuration table is generated from the `describe()` texts here, and a test checks
 * that docker-compose.yml sets no variable this schema does not know.
 */

const booleanFlag = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((value) => value === 'true' || value === '1' || value === 'yes');

/**
 * `API_TRUST_PROXY`: false, a hop count, or proxy addresses/CIDRs, as Express's `trust proxy` takes
 * them. `true` is one hop, never Express's trust-everything (which takes the left-most address,
 * one the client can write).
 */
const trustProxy = z
  .string()
  .trim()
  .transform((value, ctx): false | number | string[] => {
    if (['false', '0', 'no', ''].includes(value)) return false;
    if (['true', 'yes'].includes(value)) return 1;
    if (/^\d{1,2}$/.test(value)) return Number(value);
    const entries = value.split(',').map((entry) => entry.trim());
    if (entries.every((entry) => /^[0-9a-fA-F:.]+(\/\d{1,3})?$/.test(entry) && isIP(entry.split('/')[0]!) !== 0)) return entries;
    ctx.addIssue({ code: 'custom', message: 'false, a hop count (0–99), or comma-separated proxy addresses/CIDRs' });
    return z.NEVER;
  })
  .or(z.literal(false));

const port = z.coerce.number().int().min(0).max(65535);

const postgresUrl = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return (url.protocol === 'postgres:' || url.protocol === 'postgresql:') && url.hostname !== '';
  } catch {
    return false;
  }
}, 'must be a postgres://user:password@host:port/database URL');

const hostPort = z.string().regex(/^[A-Za-z0-9.\-[\]:]+:\d{1,5}$/, 'must be host:port, e.g. localhost:7233');

const masterKey = z
  .string()
  .refine(
    (value) => /^[A-Za-z0-9+/]{43}=$/.test(value) && Buffer.from(value, 'base64').length === 32,
    'must be base64 of exactly 32 bytes (openssl rand -base64 32)',
  );

const duration = z.string().regex(/^\d+(ms|s|m|h|d)$/, 'must be a duration such as 500ms, 30s, 15m, 1h or 7d');

/** The zod schema of the hub's environment. Keys are the environment variable names. */
export const configSchema = z.object({
  NODE_ENV: z
    .enum(['development', 'test', 'production'])
    .default('development')
    .describe(
      'Runtime mode. In production the API and worker refuse development defaults (the placeholder secrets of docker-compose.yml, made-up keys, an owner DATABASE_URL).',
    ),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info').describe('pino log level.'),

  HOST: z.string().min(1).default('0.0.0.0').describe('Interface the API listens on.'),
  PORT: port.default(3000).describe('API port.'),
  PUBLIC_URL: z.url().optional().describe('External base URL of the API (shown in logs and links). Default http://localhost:$PORT.'),
  API_BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i, 'must be a size such as 512kb or 1mb')
    .default('1mb')
    .describe('Largest JSON request body; larger bodies get 413 PAYLOAD_TOO_LARGE.'),
  API_TRUST_PROXY: trustProxy
    .default(false)
    .describe(
      'Which X-Forwarded-For hops to believe: false (none: the socket address), a hop count (1 for one reverse proxy; true means 1), or a comma-separated list of proxy addresses/CIDRs. The client is the first address not a trusted proxy, counted from the right: a value the client wrote itself is never taken.',
    ),

  DATABASE_URL: postgresUrl
    .optional()
    .describe(
      'Owner connection (runs migrations; in production give it to `npm run migrate` only). Unset: an embedded Postgres under $HUB_DATA_DIR/pg is started by npm start / npm test.',
    ),
  DATABASE_APP_URL: postgresUrl
    .optional()
    .describe(
      'Connection used by the API and worker: a non-superuser role without BYPASSRLS. Default: DATABASE_URL with user hub_app and $DATABASE_APP_PASSWORD.',
    ),
  DATABASE_APP_PASSWORD: z
    .string()
    .min(12, 'must be at least 12 characters')
    .optional()
    .describe('Password migrations give the hub_app role. Local mode generates one into $HUB_DATA_DIR.'),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(500).default(10).describe('Connections per process.'),

  TEMPORAL_ADDRESS: hostPort
    .optional()
    .describe('Temporal frontend host:port. Unset: a Temporal CLI dev server is started (persisted to $HUB_DATA_DIR/temporal.db).'),
  TEMPORAL_NAMESPACE: z.string().min(1).default('default').describe('Temporal namespace.'),
  TEMPORAL_TASK_QUEUE: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,200}$/, 'must be letters, digits, dot, dash or underscore')
    .default('hub')
    .describe(
      'Base name of the task queues: general work (onboarding, connector tests, file expiry) runs on it, syncs, bulk jobs, webhooks and billing on $TEMPORAL_TASK_QUEUE-sync, -bulk, -webhooks, -billing.',
    ),
  WORKER_TASK_QUEUES: z
    .string()
    .trim()
    .default('all')
    .transform((value, ctx): 'all' | WorkKind[] => {
      if (value === 'all') return 'all';
      const kinds = [...new Set(value.split(',').map((entry) => entry.trim()))];
      const unknown = kinds.filter((kind) => !(WORK_KINDS as readonly string[]).includes(kind));
      if (kinds.length === 0 || unknown.length > 0) {
        ctx.addIssue({
          code: 'custom',
          message: `must be all or a comma-separated subset of ${WORK_KINDS.join(', ')}${unknown.length ? ` (not ${unknown.join(', ')})` : ''}`,
        });
        return z.NEVER;
      }
      return kinds as WorkKind[];
    })
    .describe(
      'Which task queues `npm run worker` polls: all, or a comma-separated subset of general, sync, bulk, webhooks, billing (a dedicated worker pool per kind). Every kind needs at least one pool.',
    ),
  WORKER_MAX_CONCURRENT_ACTIVITIES: z.coerce
    .number()
    .int()
    .min(1)
    .max(10_000)
    .optional()
    .describe('Activities one worker runs at once, per polled task queue. Unset: the SDK default (100). See docs/temporal.md for measured effect.'),
  WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: z.coerce
    .number()
    .int()
    .min(1)
    .max(10_000)
    .optional()
    .describe('Workflow tasks one worker runs at once, per polled task queue. Unset: the SDK default (40).'),
  WORKER_STICKY_CACHE_SIZE: z.coerce
    .number()
    .int()
    .min(0)
    .max(100_000)
    .optional()
    .describe(
      'Workflows one worker keeps in memory between tasks (sticky execution), per polled task queue; 0 replays every task from history. Unset: the SDK default (sized from memory).',
    ),
  TEMPORAL_API_KEY: z.string().min(1).optional().describe('Temporal Cloud API key (implies TLS).'),
  TEMPORAL_TLS: booleanFlag.default(false).describe('Connect to Temporal over TLS.'),
  TEMPORAL_TLS_CERT_PATH: z
    .string()
    .min(1)
    .optional()
    .describe('mTLS client certificate (PEM) for Temporal Cloud / a secured cluster (with TEMPORAL_TLS_KEY_PATH; implies TLS).'),
  TEMPORAL_TLS_KEY_PATH: z.string().min(1).optional().describe('mTLS client key (PEM), with TEMPORAL_TLS_CERT_PATH.'),
  TEMPORAL_TLS_CA_PATH: z
    .string()
    .min(1)
    .optional()
    .describe("CA certificate (PEM) that signed a self-hosted server's certificate (implies TLS). Unset: the system roots (Temporal Cloud)."),
  TEMPORAL_TLS_SERVER_NAME: z.string().min(1).optional().describe('TLS server name to verify instead of the host of TEMPORAL_ADDRESS (implies TLS).'),
  TEMPORAL_UI_URL: z
    .url()
    .default('http://localhost:8233')
    .describe('Temporal Web UI base URL used in temporalUiUrl links; its origin is the one the codec endpoints (/codec/*) answer with CORS.'),
  TEMPORAL_CLI: z.string().min(1).optional().describe('Path of an existing Temporal CLI binary (skips provisioning).'),
  TEMPORAL_PORT: port.default(7233).describe('Local mode: dev server gRPC port.'),
  TEMPORAL_UI_PORT: port.default(8233).describe('Local mode: dev server Web UI port.'),
  WORKER_SHUTDOWN_GRACE: duration.default('30s').describe('How long the worker lets running activities finish on SIGTERM.'),

  HUB_DATA_DIR: z.string().min(1).default('.data').describe('Local state: embedded Postgres, Temporal DB, generated secrets, files.'),
  HUB_FILES_DIR: z
    .string()
    .min(1)
    .optional()
    .describe(
      'HUB_FILE_STORE=local: where tenant files (uploads, exports, backups) are stored. Default $HUB_DATA_DIR/files; all API and worker processes must share it.',
    ),
  HUB_FILE_STORE: z
    .enum(['local', 's3'])
    .default('local')
    .describe(
      'Where tenant files live: `local` (a directory, HUB_FILES_DIR) or `s3` (an S3-compatible bucket, S3_BUCKET; every API and worker process reads the same objects).',
    ),
  S3_BUCKET: z
    .string()
    .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name (3–63 lowercase letters, digits, dots, hyphens)')
    .optional()
    .describe('HUB_FILE_STORE=s3: the bucket of tenant files (it must exist).'),
  S3_REGION: z.string().min(1).default('us-east-1').describe("HUB_FILE_STORE=s3: the bucket's region."),
  S3_ENDPOINT: z.url().optional().describe('HUB_FILE_STORE=s3: endpoint of an S3-compatible server (MinIO, Ceph, SeaweedFS, …). Unset: AWS S3 of S3_REGION.'),
  S3_FORCE_PATH_STYLE: booleanFlag
    .default(false)
    .describe('HUB_FILE_STORE=s3: address the bucket in the path (`host/bucket/key`) rather than the host name; most S3-compatible servers need it.'),
  S3_KEY_PREFIX: z
    .string()
    .regex(/^([A-Za-z0-9._-]+\/)*$/, 'must be empty or path segments ending in a slash, e.g. hub/production/')
    .default('')
    .describe('HUB_FILE_STORE=s3: prefix of every object key (one bucket for several deployments); keys are then `<prefix><tenantId>/<fileId>`.'),
  S3_SSE: z
    .enum(['none', 'AES256', 'aws:kms'])
    .default('none')
    .describe(
      "HUB_FILE_STORE=s3: server-side encryption asked for on every object written: none (the bucket's default), AES256 (SSE-S3) or aws:kms (SSE-KMS).",
    ),
  S3_SSE_KMS_KEY_ID: z
    .string()
    .min(1)
    .optional()
    .describe("HUB_FILE_STORE=s3 with S3_SSE=aws:kms: the KMS key (id or ARN). Unset: the account's AWS-managed S3 key."),
  S3_ACCESS_KEY_ID: z
    .string()
    .min(1)
    .optional()
    .describe(
      'HUB_FILE_STORE=s3: access key id, with S3_SECRET_ACCESS_KEY. Unset: the standard AWS credential chain (AWS_* variables, shared files, web identity, instance/container role).',
    ),
  S3_SECRET_ACCESS_KEY: z.string().min(1).optional().describe('HUB_FILE_STORE=s3: secret access key paired with S3_ACCESS_KEY_ID (never logged).'),
  S3_PRESIGNED_DOWNLOADS: booleanFlag
    .default(false)
    .describe(
      'HUB_FILE_STORE=s3: GET /v1/jobs/:id/download answers 302 to a presigned URL of the object (S3_PRESIGNED_EXPIRY) instead of streaming it through the API.',
    ),
  S3_PRESIGNED_EXPIRY: duration
    .default('5m')
    .refine((value) => durationMs(value) >= 1000 && durationMs(value) <= 3_600_000, 'must be between 1s and 1h')
    .describe('How long a presigned download URL stays valid (1s–1h; short, since anyone holding it can download the file).'),
  HUB_UPLOAD_MAX_BYTES: z.coerce
    .number()
    .int()
    .min(1)
    .default(256 * 1024 * 1024)
    .describe('Largest file POST /v1/uploads accepts, in bytes (413 UPLOAD_TOO_LARGE beyond).'),
  HUB_FILE_RETENTION: duration
    .default('7d')
    .describe('How long uploads and job outputs are kept; the file-expiry schedule then deletes them (an expired output answers 410 JOB_OUTPUT_EXPIRED).'),
  HUB_FILE_EXPIRY_INTERVAL: duration
    .default('1h')
    .refine((value) => durationMs(value) >= 60_000, 'must be at least 1m')
    .describe('How often the file-expiry schedule (created by the worker at start) deletes expired uploads and job outputs.'),
  HUB_PG_PORT: port.default(5433).describe('Local mode: embedded Postgres port.'),
  HUB_ADMIN_TOKEN: z
    .string()
    .min(32, 'must be at least 32 characters')
    .optional()
    .describe('Bearer token of the platform admin API (/v1/admin). Local mode generates one into $HUB_DATA_DIR.'),
  HUB_ALLOW_PRIVATE_NETWORK: booleanFlag
    .default(false)
    .describe('Let tenant-supplied URLs reach loopback/private addresses and plain http (development and tests only; npm start turns it on).'),
  HUB_NETWORK_ALLOWLIST: z
    .string()
    .default('')
    .refine(
      (value) => value === '' || value.split(',').every((cidr) => isCidr(cidr.trim())),
      'must be a comma-separated list of CIDRs, e.g. 10.20.0.0/16,fd00::/8',
    )
    .transform((value) => (value === '' ? [] : value.split(',').map((cidr) => cidr.trim())))
    .describe(
      "Development only (refused with NODE_ENV=production): private ranges every tenant's connections may reach. In production the platform admin grants ranges per tenant (PUT /v1/admin/tenants/:id/network-allowances).",
    ),
  HUB_ALLOW_INSECURE_HTTP: booleanFlag
    .default(false)
    .describe(
      'Development only (refused with NODE_ENV=production): let tenant-supplied URLs use plain http while private networking stays off (HUB_ALLOW_PRIVATE_NETWORK implies it).',
    ),
  CONNECTOR_MAX_RESPONSE_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(64 * 1024 * 1024)
    .describe(
      "Largest response a connector reads from a tenant's system, in bytes (every transport; Bulk NDJSON files are streamed and bounded per line instead). Past it the request fails, not retried (RESPONSE_TOO_LARGE).",
    ),
  CONNECTOR_MAX_LINE_BYTES: z.coerce
    .number()
    .int()
    .min(1024)
    .default(16 * 1024 * 1024)
    .describe('Longest line of a FHIR Bulk NDJSON file a connector reads, in bytes. Past it the read fails, not retried (RESPONSE_TOO_LARGE).'),
  HUB_MASTER_KEY: masterKey
    .optional()
    .describe(
      'Vault master key (base64 of 32 random bytes) wrapping the per-tenant data keys that encrypt connector credentials; the key that encrypts Temporal payloads is derived from it. Local mode generates one into $HUB_DATA_DIR; configured deployments must set it.',
    ),
  HUB_MASTER_KEY_PREVIOUS: z
    .string()
    .default('')
    .refine(
      (value) => value === '' || value.split(',').every((key) => masterKey.safeParse(key.trim()).success),
      'must be a comma-separated list of base64 32-byte keys',
    )
    .transform((value) => (value === '' ? [] : value.split(',').map((key) => key.trim())))
    .describe(
      'Former master keys (comma-separated), still accepted for unwrapping data keys until `npm run vault:rotate` has re-wrapped them under HUB_MASTER_KEY, and for decrypting Temporal payloads sealed under them (keep one until the histories it sealed are past retention).',
    ),
  HUB_EXIT_WITH_PARENT: booleanFlag.default(false).describe('Internal: set by npm start on its children so they stop when it dies.'),
  ONBOARDING_TIMEOUT: duration.default('30s').describe('How long POST /v1/admin/tenants waits for the onboarding workflow.'),
  API_AUTH_CACHE_TTL: duration
    .default('30s')
    .describe('How long the API may answer a known API key from memory; revocations and suspensions evict at once (LISTEN/NOTIFY). 0s disables the cache.'),
  API_KEY_LAST_USED_INTERVAL: duration.default('60s').describe('api_keys.last_used_at is written at most this often per key.'),
  API_AUTH_FAILURES_PER_IP: z.coerce
    .number()
    .int()
    .min(0)
    .default(30)
    .describe(
      'Failed authentications (missing or invalid API key or admin token) one client address may make per API_AUTH_FAILURE_WINDOW; past it, its requests needing a credential get 429 RATE_LIMITED with Retry-After before any key lookup. Counted per replica. 0 turns it off.',
    ),
  API_AUTH_FAILURE_WINDOW: duration.default('1m').describe('The window of API_AUTH_FAILURES_PER_IP.'),
  SESSION_IDLE_TIMEOUT: duration
    .default('30m')
    .describe('Console sessions end after this long without a request, unless the tenant setting security.sessionIdleTimeoutMinutes says otherwise.'),
  SESSION_LIFETIME: duration
    .default('12h')
    .describe('Console sessions end this long after sign-in whatever their activity, unless the tenant setting security.sessionLifetimeHours says otherwise.'),
  SESSION_COOKIE_SECURE: booleanFlag
    .default(true)
    .describe(
      'Whether the session and CSRF cookies carry Secure. false only for a development hub served on plain-http localhost (refused with NODE_ENV=production).',
    ),
  OPERATOR_SESSION_LIFETIME: duration
    .default('1h')
    .describe("The platform operator's console session (the admin token exchanged at POST /v1/admin/sessions) ends this long after sign-in."),
  SIGN_IN_FAILURES_PER_ACCOUNT: z.coerce
    .number()
    .int()
    .min(1)
    .default(5)
    .describe(
      'Failed sign-ins one e-mail of one tenant may have per SIGN_IN_LOCKOUT before sign-in answers 429 SIGN_IN_LOCKED (known or not). Counted per replica.',
    ),
  SIGN_IN_FAILURES_PER_IP: z.coerce
    .number()
    .int()
    .min(1)
    .default(20)
    .describe('Failed sign-ins one client address may have per SIGN_IN_LOCKOUT before sign-in answers 429 SIGN_IN_LOCKED. Counted per replica.'),
  SIGN_IN_LOCKOUT: duration.default('15m').describe('The window of SIGN_IN_FAILURES_PER_ACCOUNT and SIGN_IN_FAILURES_PER_IP.'),
  INVITE_LINK_TTL: duration.default('7d').describe('How long an invite link stays valid.'),
  PASSWORD_RESET_LINK_TTL: duration.default('1h').describe('How long a password reset link stays valid.'),
  IDENTITY_DNS_SERVER: z
    .string()
    .regex(/^(\d{1,3}(\.\d{1,3}){3}|\[[0-9a-fA-F:]+\])(:\d{1,5})?$/, 'must be an IP address with an optional port, e.g. 1.1.1.1 or 127.0.0.1:5353')
    .optional()
    .describe("DNS server that e-mail domain verification asks for the TXT record (ip[:port]). Unset: the system's resolvers."),
  SSO_CLOCK_SKEW: duration
    .default('2m')
    .refine((value) => durationMs(value) <= 300_000, 'must be at most 5m')
    .describe("How far an identity provider's clock may be off when ID tokens and SAML assertions are checked (exp, iat, NotBefore, NotOnOrAfter)."),
  SSO_LOGIN_TIMEOUT: duration
    .default('10m')
    .refine((value) => durationMs(value) >= 60_000 && durationMs(value) <= 3_600_000, 'must be between 1m and 1h')
    .describe('How long a started SSO sign-in waits for the identity provider to send the person back; a later answer is refused.'),
  CONSOLE_URL: z.url().optional().describe('Base URL of the console that e-mailed links point to. Default PUBLIC_URL + /console.'),
  SMTP_URL: z
    .url({ protocol: /^smtps?$/ })
    .optional()
    .describe('SMTP server for invite and password reset e-mails, e.g. smtp://user:pass@mail.example.com:587. Unset: no e-mail is sent (a warning is logged).'),
  MAIL_FROM: z.string().min(3).default('Integration Hub <no-reply@localhost>').describe('From address of the e-mails the hub sends.'),
  API_OPERATOR_NETWORKS: z
    .string()
    .default('')
    .refine(
      (value) => value === '' || value.split(',').every((cidr) => isCidr(cidr.trim())),
      'must be a comma-separated list of CIDRs, e.g. 10.0.0.0/8,127.0.0.1/32',
    )
    .transform((value) => (value === '' ? [] : value.split(',').map((cidr) => cidr.trim())))
    .describe(
      'Client networks (CIDRs) that may read /metrics and the detailed /readyz without the platform admin token (e.g. the Prometheus scraper). Others need HUB_ADMIN_TOKEN; plain /readyz answers them only ready or unavailable.',
    ),
  RATE_LIMIT_LEASES_PER_WINDOW: z.coerce
    .number()
    .int()
    .min(1)
    .max(1_000)
    .default(10)
    .describe("A replica takes a tenant's per-second budget from Postgres in this many leases per window (more: fairer across replicas, more round trips)."),
  USAGE_FLUSH_INTERVAL: duration.default('1s').describe('How often buffered usage events are written to Postgres.'),
  USAGE_FLUSH_BATCH: z.coerce.number().int().min(1).default(2_000).describe('A usage flush starts early once this many events are buffered.'),
  USAGE_BUFFER_MAX: z.coerce
    .number()
    .int()
    .min(1_000)
    .default(200_000)
    .describe('Most usage events kept in memory while Postgres cannot be written; the oldest beyond it are dropped (and logged).'),
  LIMIT_POLICY_REFRESH_INTERVAL: duration
    .default('5s')
    .describe("How old a replica's copy of a tenant's limit settings and scheduled raises may get before it is re-read (its own changes apply at once)."),
  QUOTA_REFRESH_INTERVAL: duration.default('15s').describe("How old a replica's view of a tenant's monthly API-call count may get before it is re-read."),
  CONNECTOR_TEST_TIMEOUT: duration.default('60s').describe('How long POST /v1/connectors/:id/test waits for the connectorTest workflow.'),
  WEBHOOK_RETRY_SCHEDULE: z
    .string()
    .default('5s,5m,30m,2h,5h,10h,10h')
    .refine((value) => value.split(',').every((item) => duration.safeParse(item.trim()).success), 'must be a comma-separated list of durations, e.g. 5s,5m,30m')
    .transform((value) => value.split(',').map((item) => item.trim()))
    .describe(
      'Waits between webhook delivery attempts after a failure (±20% jitter; a Retry-After on 429/503 replaces the wait, capped at 24 h). The default (immediately, then 5s, 5m, 30m, 2h, 5h, 10h, 10h) spans about 28 h over 8 attempts.',
    ),
  WEBHOOK_TIMEOUT: duration.default('15s').describe('How long one webhook delivery attempt may take (connect, response headers and body).'),
  WEBHOOK_DISABLE_AFTER: duration
    .default('5d')
    .describe('An endpoint whose deliveries have all failed for this long is disabled and the tenant admins are notified.'),
  WEBHOOK_DISPATCH_SWEEP: duration
    .default('60s')
    .describe(
      "The longest an idle tenant's webhook drainer waits before looking for due deliveries unprompted (new deliveries and due retries wake it sooner).",
    ),
  WEBHOOK_MAX_IN_FLIGHT: z.coerce
    .number()
    .int()
    .min(1)
    .max(500)
    .default(50)
    .describe('Concurrent requests to one webhook endpoint, for endpoints that set no `maxInFlight` of their own.'),
  WEBHOOK_DRAIN_CONCURRENCY: z.coerce
    .number()
    .int()
    .min(1)
    .default(500)
    .describe("Concurrent requests of one tenant's webhook drain, across its endpoints (each endpoint stays within its own cap)."),
  WEBHOOK_DRAIN_IDLE: duration
    .default('10s')
    .describe('A webhook drain with nothing in flight and nothing due ends after this long (its drainer workflow waits for the next nudge or due time).'),
  WEBHOOK_DRAIN_RUN: duration.default('5m').describe('Longest run of one webhook drain activity before its drainer workflow starts the next one.'),
  WEBHOOK_BREAKER_WINDOW: duration.default('60s').describe("The window over which an endpoint's failure ratio is measured for its circuit breaker."),
  WEBHOOK_BREAKER_MIN_REQUESTS: z.coerce
    .number()
    .int()
    .min(1)
    .default(20)
    .describe('Attempts within WEBHOOK_BREAKER_WINDOW before the circuit breaker may open.'),
  WEBHOOK_BREAKER_FAILURE_RATIO: z.coerce
    .number()
    .gt(0)
    .max(1)
    .default(0.5)
    .describe(
      "Failure ratio within WEBHOOK_BREAKER_WINDOW that opens an endpoint's circuit breaker (its deliveries wait; one probe after WEBHOOK_BREAKER_COOLDOWN).",
    ),
  WEBHOOK_BREAKER_COOLDOWN: duration.default('30s').describe('How long an open circuit breaker holds deliveries back before a half-open probe.'),
  WORKER_METRICS_PORT: port
    .optional()
    .describe(
      'Port on which `npm run worker` serves Prometheus /metrics (job, sync and webhook counters and the Temporal SDK worker metrics). Unset: not served.',
    ),
  SYNC_PAGE_SIZE: z.coerce
    .number()
    .int()
    .min(10)
    .max(10_000)
    .default(2_000)
    .describe('Records a sync asks the connector for per page (one activity reads, stores and commits one page; connectors may cap it, Salesforce at 2,000).'),
  SYNC_MAX_PARALLEL_STREAMS: z.coerce.number().int().min(1).max(20).default(3).describe('Streams of one connector a sync runs at once.'),
  SYNC_CONNECTOR_REQUEST_BUDGET: z
    .string()
    .regex(/^\d+\/\d+(ms|s|m|h)$/, 'must be <requests>/<window>, e.g. 600/1m')
    .default('600/1m')
    .describe('Page requests one connector may make per window across every worker (e.g. 600/1m); past it, sync pages wait on a durable timer.'),
  SYNC_CONTINUE_AS_NEW_AFTER_PAGES: z.coerce
    .number()
    .int()
    .min(0)
    .default(0)
    .describe('A sync workflow continues as new after this many pages in one run (0: only when Temporal suggests it).'),
  TEMPORAL_WORKFLOW_BUNDLE: z
    .string()
    .min(1)
    .optional()
    .describe('Path of a prebuilt workflow bundle (bundleWorkflowCode output) the worker loads instead of bundling workflows/ at start.'),

  STRIPE_API_BASE: z.url().default('https://api.stripe.com').describe("Stripe API base URL of the hub's own billing account (tests point it at localstripe)."),
  STRIPE_SECRET_KEY: z
    .string()
    .regex(/^(sk|rk)_(test|live)_[A-Za-z0-9_]+$/, 'must be a Stripe secret or restricted key (sk_… / rk_…)')
    .optional()
    .describe('Secret key of the billing account. Unset: billing runs fail their Stripe steps and the monthly schedule is not created.'),
  STRIPE_MAX_RPS: z.coerce
    .number()
    .int()
    .min(1)
    .max(10_000)
    .default(25)
    .describe(
      "Stripe requests per second the hub's billing account may make, shared by every API and worker process on the database (Stripe allows about 25 in test mode, 100 in live mode).",
    ),
  STRIPE_WEBHOOK_SECRET: z
    .string()
    .regex(/^whsec_[A-Za-z0-9_]+$/, 'must be a Stripe endpoint secret (whsec_…)')
    .optional()
    .describe('Signing secret of the POST /v1/stripe/webhook endpoint. Unset: the endpoint answers 503.'),
  BILLING_SCHEDULE_ENABLED: booleanFlag
    .default(true)
    .describe('The worker creates (or updates) the Temporal Schedule that runs monthly billing on the 1st of each month, 00:15 UTC.'),
  HUB_DAILY_BACKUPS: booleanFlag
    .default(true)
    .describe('Tenant onboarding creates a Temporal Schedule that backs the tenant up daily (tenant setting backups.daily turns one tenant off).'),
  BILLING_CONCURRENCY: z.coerce.number().int().min(1).max(500).default(20).describe('Tenant invoices a billing run works on at once (child workflows).'),
  DUNNING_RETRY_DELAYS: z
    .string()
    .default('3d,5d,7d')
    .refine((value) => value.split(',').every((part) => duration.safeParse(part.trim()).success), 'must be comma-separated durations such as 3d,5d,7d')
    .transform((value) => value.split(',').map((part) => part.trim()))
    .describe('After a failed invoice payment: waits before each payment retry (durable timers).'),
  DUNNING_GRACE_PERIOD: duration
    .default('15d')
    .describe('How long after the first failed payment a tenant is suspended unless the invoice is paid (and never before the last retry).'),
});

/** The validated configuration. */
export type HubConfig = z.infer<typeof configSchema>;

/** A configuration the process cannot start with. `message` is one line naming the variable. */
export class ConfigError extends Error {
  constructor(
    message: string,
    readonly variable: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Names of every variable the hub reads (the schema keys). */
export const knownVariables: readonly string[] = Object.keys(configSchema.shape);

/**
 * Validates the environment. Empty strings count as unset so `FOO=` in a .env file means "default".
 * Values are never echoed: a URL may carry a password.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): HubConfig {
  const input: Record<string, string> = {};
  for (const key of knownVariables) {
    const value = env[key];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue?.path[0] ?? 'environment');
    const reason = issue?.code === 'invalid_value' || issue?.code === 'invalid_type' ? describeExpected(variable, issue) : issue?.message;
    throw new ConfigError(`Invalid configuration: ${variable} ${reason ?? 'is invalid'}`, variable);
  }
  assertNoProcessWideAllowances(parsed.data);
  assertFileStoreSettings(parsed.data);
  assertTemporalSettings(parsed.data);
  return parsed.data;
}

/**
 * HUB_NETWORK_ALLOWLIST and HUB_ALLOW_INSECURE_HTTP open private ranges (or plain http) to every
 * tenant at once: fine for a laptop, a cross-tenant hole in production, where ranges are granted
 * per tenant by the platform admin.
 */
function assertNoProcessWideAllowances(config: HubConfig): void {
  if (config.NODE_ENV !== 'production') return;
  if (config.HUB_NETWORK_ALLOWLIST.length > 0) {
    throw new ConfigError(
      'Invalid configuration: HUB_NETWORK_ALLOWLIST is for development only (it opens the ranges to every tenant); with NODE_ENV=production grant them per tenant: PUT /v1/admin/tenants/:id/network-allowances',
      'HUB_NETWORK_ALLOWLIST',
    );
  }
  if (config.HUB_ALLOW_INSECURE_HTTP) {
    throw new ConfigError(
      'Invalid configuration: HUB_ALLOW_INSECURE_HTTP is for development only; it is refused with NODE_ENV=production',
      'HUB_ALLOW_INSECURE_HTTP',
    );
  }
  if (!config.SESSION_COOKIE_SECURE) {
    throw new ConfigError(
      'Invalid configuration: SESSION_COOKIE_SECURE=false is for a development hub on plain-http localhost only; it is refused with NODE_ENV=production',
      'SESSION_COOKIE_SECURE',
    );
  }
}

/** The S3 settings go together: a bucket for the S3 store, both halves of a static key, a KMS key only with SSE-KMS. */
function assertFileStoreSettings(config: HubConfig): void {
  const fail = (variable: string, message: string) => {
    throw new ConfigError(`Invalid configuration: ${variable} ${message}`, variable);
  };
  if (config.HUB_FILE_STORE === 's3' && config.S3_BUCKET === undefined) fail('S3_BUCKET', 'is required with HUB_FILE_STORE=s3');
  if ((config.S3_ACCESS_KEY_ID === undefined) !== (config.S3_SECRET_ACCESS_KEY === undefined)) {
    fail(
      config.S3_ACCESS_KEY_ID === undefined ? 'S3_ACCESS_KEY_ID' : 'S3_SECRET_ACCESS_KEY',
      'must be set together with its pair (or neither: the AWS credential chain)',
    );
  }
  if (config.S3_SSE_KMS_KEY_ID !== undefined && config.S3_SSE !== 'aws:kms') fail('S3_SSE_KMS_KEY_ID', 'is only used with S3_SSE=aws:kms');
  if (config.S3_PRESIGNED_DOWNLOADS && config.HUB_FILE_STORE !== 's3') fail('S3_PRESIGNED_DOWNLOADS', 'needs HUB_FILE_STORE=s3');
}

/**
 * Temporal connection settings that cannot work together, caught before anything connects: half an
 * mTLS pair, or a Temporal Cloud address without credentials or with the `default` namespace
 * (Cloud namespaces are `<name>.<account>`). The files themselves are read and checked when the
 * process connects (`temporalConnectionOptions` in platform/temporal/connection.ts).
 */
function assertTemporalSettings(config: HubConfig): void {
  const fail = (variable: string, message: string) => {
    throw new ConfigError(`Invalid configuration: ${variable} ${message}`, variable);
  };
  if ((config.TEMPORAL_TLS_CERT_PATH === undefined) !== (config.TEMPORAL_TLS_KEY_PATH === undefined)) {
    fail(
      config.TEMPORAL_TLS_CERT_PATH === undefined ? 'TEMPORAL_TLS_CERT_PATH' : 'TEMPORAL_TLS_KEY_PATH',
      'must be set together with its pair (the mTLS client certificate and its key)',
    );
  }
  const address = config.TEMPORAL_ADDRESS;
  if (address === undefined) return;
  const host = address.replace(/:\d+$/, '').toLowerCase();
  const cloudNamespaceEndpoint = host.endsWith('.tmprl.cloud');
  const cloudApiKeyEndpoint = host.endsWith('.api.temporal.io');
  if (cloudApiKeyEndpoint && config.TEMPORAL_API_KEY === undefined) {
    fail(
      'TEMPORAL_API_KEY',
      `is required by the Temporal Cloud API-key endpoint ${address} (or use the namespace endpoint <namespace>.<account>.tmprl.cloud:7233 with mTLS)`,
    );
  }
  if (cloudNamespaceEndpoint && config.TEMPORAL_API_KEY === undefined && config.TEMPORAL_TLS_CERT_PATH === undefined) {
    fail('TEMPORAL_TLS_CERT_PATH', `is required by Temporal Cloud (${address}): set TEMPORAL_TLS_CERT_PATH and TEMPORAL_TLS_KEY_PATH, or TEMPORAL_API_KEY`);
  }
  if ((cloudNamespaceEndpoint || cloudApiKeyEndpoint) && !/^[a-z0-9-]+\.[a-z0-9]+$/i.test(config.TEMPORAL_NAMESPACE)) {
    fail('TEMPORAL_NAMESPACE', `must be the Temporal Cloud namespace id <namespace>.<account> (the address ${address} is Temporal Cloud)`);
  }
  if (config.TEMPORAL_TLS_CA_PATH !== undefined && (cloudNamespaceEndpoint || cloudApiKeyEndpoint)) {
    fail('TEMPORAL_TLS_CA_PATH', 'is for a self-hosted cluster; Temporal Cloud presents a certificate the system roots verify');
  }
}

function describeExpected(variable: string, issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_value') return `must be one of ${issue.values.map(String).join(', ')}`;
  const field = configSchema.shape[variable as keyof typeof configSchema.shape];
  return field ? `is invalid (${issue.message})` : issue.message;
}

/** Converts a duration such as `30s` or `15m` (validated by the schema) to milliseconds. */
export function durationMs(value: string): number {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(value);
  if (!match) throw new Error(`not a duration: ${value}`);
  const amount = Number(match[1]);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
  return amount * unit;
}

/** True when the process runs without external Postgres and Temporal (npm start's embedded defaults). */
export function isLocalMode(config: HubConfig): { postgres: boolean; temporal: boolean } {
  return { postgres: config.DATABASE_URL === undefined, temporal: config.TEMPORAL_ADDRESS === undefined };
}
