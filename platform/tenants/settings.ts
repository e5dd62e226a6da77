import { z } from 'zod';
import { planOf, type PlanId } from '../billing/catalogue';
import { isCidr } from '../network/addressPolicy';
import { emailAddress } from '../users/newUserSchema';

/** Events a tenant can be notified about (by e-mail; webhooks have their own subscriptions). */
export const NOTIFICATION_EVENTS = [
  'job.failed',
  'job.completed',
  'sync.failed',
  'connector.auth_failed',
  'usage.threshold',
  'invoice.created',
  'invoice.payment_failed',
] as const;

const IPV4_OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV6_GROUP = '[0-9a-fA-F]{1,4}';
/**
 * The CIDRs of the document: dotted IPv4 with a prefix of 0–32, or IPv6 (without an embedded IPv4
 * part) with 0–128. The server (ipaddr.js) also reads a few rarer spellings; the document names
 * the usual ones only, so what it allows always passes.
 */
const CIDR_PATTERN =
  `^(?:(?:${IPV4_OCTET}\\.){3}${IPV4_OCTET}/(?:3[0-2]|[12]?\\d)|` +
  `(?:(?:${IPV6_GROUP}:){7}${IPV6_GROUP}|(?:${IPV6_GROUP}:){1,7}:|(?:${IPV6_GROUP}:){1,6}:${IPV6_GROUP}|(?:${IPV6_GROUP}:){1,5}(?::${IPV6_GROUP}){1,2}|(?:${IPV6_GROUP}:){1,4}(?::${IPV6_GROUP}){1,3}|(?:${IPV6_GROUP}:){1,3}(?::${IPV6_GROUP}){1,4}|(?:${IPV6_GROUP}:){1,2}(?::${IPV6_GROUP}){1,5}|${IPV6_GROUP}:(?::${IPV6_GROUP}){1,6}|:(?:(?::${IPV6_GROUP}){1,7}|:))` +
  `/(?:12[0-8]|1[01]\\d|[1-9]?\\d))$`;

const cidr = z.string().trim().refine(isCidr, 'must be a CIDR such as 203.0.113.0/24 or 2001:db8::/32').meta({ pattern: CIDR_PATTERN });

/** Counts per UTC day, month and year (each optional: no limit); past one the API answers 429 with the limit's own code. */
function periodCounts(what: string) {
  const count = (period: string) => z.number().int().min(1).max(1_000_000_000).optional().describe(`${what} per UTC ${period}`);
  return z
    .strictObject({ day: count('day'), month: count('month'), year: count('year') })
    .optional()
    .describe(`${what} per period`);
}

/**
 * A tenant's settings. Every section and field is optional in storage; {@link effectiveSettings}
 * fills in the plan's defaults. Strict: unknown fields are refused, not ignored.
 */
export const tenantSettingsSchema = z.strictObject({
  limits: z
    .strictObject({
      maxConcurrentJobs: z.number().int().min(1).max(1_000).optional().describe('Jobs running at once (capped by the plan)'),
      maxJobsPerDay: z.number().int().min(1).max(1_000_000).optional().describe('Jobs started per UTC day (capped by the plan)'),
      maxConcurrentSyncs: z.number().int().min(1).max(100).optional().describe('Connector syncs running at once; more wait for a slot (capped by the plan)'),
      apiCalls: periodCounts('API calls of the whole tenant'),
      jobs: periodCounts('Jobs (not syncs) the tenant starts'),
      syncs: periodCounts('Connector syncs the tenant starts'),
      perUser: z
        .strictObject({
          requestsPerSecond: z.number().int().min(1).max(10_000).optional().describe('Requests per second of each console user (429 USER_RATE_LIMITED)'),
          apiCalls: periodCounts('API calls of each console user'),
          jobs: periodCounts('Jobs each console user starts'),
          syncs: periodCounts('Syncs each console user starts'),
        })
        .optional()
        .describe('Limits of each console user (requests with a session)'),
      perApiKey: z
        .strictObject({
          requestsPerSecond: z.number().int().min(1).max(10_000).optional().describe('Requests per second of each API key (429 API_KEY_RATE_LIMITED)'),
          apiCallsPerMonth: z
            .number()
            .int()
            .min(1)
            .max(1_000_000_000)
            .optional()
            .describe('API calls of each API key per UTC month (429 API_KEY_API_CALLS_MONTHLY_LIMIT)'),
        })
        .optional()
        .describe('Limits of each API key'),
    })
    .optional(),
  notifications: z
    .strictObject({
      emailRecipients: z.array(emailAddress()).max(20).optional(),
      events: z.array(z.enum(NOTIFICATION_EVENTS)).max(NOTIFICATION_EVENTS.length).optional(),
      usageAlertPercent: z.number().int().min(1).max(100).nullable().optional().describe('Warn when monthly API calls reach this share of the quota'),
    })
    .optional(),
  security: z
    .strictObject({
      ipAllowlist: z.array(cidr).max(100).optional().describe('When not empty, API calls from other addresses are refused (403 IP_NOT_ALLOWED)'),
      keyMaxLifetimeDays: z.number().int().min(1).max(3_650).nullable().optional().describe('New API keys must expire within this many days'),
      sessionIdleTimeoutMinutes: z.number().int().min(1).max(1_440).optional().describe('Console sessions end after this many minutes without a request'),
      sessionLifetimeHours: z.number().int().min(1).max(720).optional().describe('Console sessions end this many hours after sign-in'),
      mfaRequired: z.boolean().optional().describe('Every console user must use TOTP MFA; one without it may only enrol after signing in'),
    })
    .optional(),
  backups: z
    .strictObject({
      retentionDays: z.number().int().min(1).max(3_650).optional().describe('Days a backup is kept before it is deleted (default 30)'),
      daily: z.boolean().optional().describe('Whether the daily backup schedule runs (default true)'),
    })
    .optional(),
});
export type TenantSettings = z.infer<typeof tenantSettingsSchema>;

/** A path, query or fragment character of RFC 3986: what the `uri` format allows there. */
const URI_CHARACTER = "(?:[A-Za-z0-9._~!$&'()*+,;=:@-]|%[0-9A-Fa-f]{2})";

/**
 * A logo URL: https, a domain name (labels of at most 63 characters, a letters-only top-level
 * label; at most four labels, the last of at most 61 letters, keep it within 253 characters
 * without a look-ahead, which generators of test data handle badly), an optional port, and a
 * path, query and fragment of RFC 3986 characters. The server checks it and the document states
 * it, so what passes one passes the other (and `format: uri`).
 */
const HTTPS_DOMAIN_URL = new RegExp(
  '^[Hh][Tt][Tt][Pp][Ss]://(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\\.){1,3}[a-zA-Z]{2,61}' +
    '(?::(?:\\d{1,4}|[1-5]\\d{4}|6[0-4]\\d{3}|65[0-4]\\d{2}|655[0-2]\\d|6553[0-5]))?' +
    `(?:/${URI_CHARACTER}*)*(?:\\?(?:${URI_CHARACTER}|[/?])*)?(?:#(?:${URI_CHARACTER}|[/?])*)?$`,
);

const hexColour = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a hex colour such as #1a73e8');

/** A tenant's white-label branding, rendered by GET /v1/tenant/theme.css. */
export const tenantBrandingSchema = z.strictObject({
  companyName: z.string().trim().min(1).max(120).optional(),
  logoUrl: z
    .url({ protocol: /^https$/, hostname: z.regexes.domain })
    .max(2_000)
    .regex(HTTPS_DOMAIN_URL, 'must be an https URL of a domain name, in RFC 3986 characters')
    .meta({ format: 'uri' })
    .optional()
    .describe('https URL of the logo'),
  primaryColor: hexColour.optional(),
  secondaryColor: hexColour.optional(),
  customDomain: z
    .string()
    .toLowerCase()
    .max(253)
    .regex(z.regexes.domain, 'must be a domain name such as portal.example.com')
    // zod's domain pattern without its length look-ahead (maxLength says it), which generators of test data handle badly.
    .meta({ pattern: '^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\\.)+[a-zA-Z]{2,63}$' })
    .optional()
    .describe('Domain the tenant serves its portal from (enterprise: white-label)'),
});
export type TenantBranding = z.infer<typeof tenantBrandingSchema>;

/** The period, per-user and per-key limits of the settings (each absent unless the tenant set it: no limit). */
export const periodLimitSettingsSchema = tenantSettingsSchema.shape.limits
  .unwrap()
  .pick({ apiCalls: true, jobs: true, syncs: true, perUser: true, perApiKey: true });
export type PeriodLimitSettings = z.infer<typeof periodLimitSettingsSchema>;

function periodLimitSettingsOf(limits: TenantSettings['limits']): PeriodLimitSettings {
  const picked: PeriodLimitSettings = {};
  for (const key of Object.keys(periodLimitSettingsSchema.shape) as Array<keyof PeriodLimitSettings>) {
    if (limits?.[key] !== undefined) Object.assign(picked, { [key]: limits[key] });
  }
  return picked;
}

/** Settings with every default filled in: what the hub enforces. */
export interface EffectiveSettings {
  limits: { maxConcurrentJobs: number; maxJobsPerDay: number; maxConcurrentSyncs: number } & PeriodLimitSettings;
  notifications: { emailRecipients: string[]; events: Array<(typeof NOTIFICATION_EVENTS)[number]>; usageAlertPercent: number | null };
  /** Session timeouts are null when the tenant keeps the hub's defaults (SESSION_IDLE_TIMEOUT, SESSION_LIFETIME). */
  security: {
    ipAllowlist: string[];
    keyMaxLifetimeDays: number | null;
    sessionIdleTimeoutMinutes: number | null;
    sessionLifetimeHours: number | null;
    mfaRequired: boolean;
  };
}

/** The plan's defaults under the tenant's own choices; job limits never exceed the plan's. */
export function effectiveSettings(plan: PlanId, stored: TenantSettings | Record<string, unknown>): EffectiveSettings {
  const parsed = tenantSettingsSchema.safeParse(stored);
  const settings: TenantSettings = parsed.success ? parsed.data : {};
  const catalogue = planOf(plan);
  return {
    limits: {
      maxConcurrentJobs: Math.min(settings.limits?.maxConcurrentJobs ?? catalogue.maxConcurrentJobs, catalogue.maxConcurrentJobs),
      maxJobsPerDay: Math.min(settings.limits?.maxJobsPerDay ?? catalogue.maxJobsPerDay, catalogue.maxJobsPerDay),
      maxConcurrentSyncs: Math.min(settings.limits?.maxConcurrentSyncs ?? catalogue.maxConcurrentSyncs, catalogue.maxConcurrentSyncs),
      ...periodLimitSettingsOf(settings.limits),
    },
    notifications: {
      emailRecipients: settings.notifications?.emailRecipients ?? [],
      events: settings.notifications?.events ?? ['job.failed', 'sync.failed', 'connector.auth_failed', 'invoice.payment_failed'],
      usageAlertPercent: settings.notifications?.usageAlertPercent ?? 80,
    },
    security: {
      ipAllowlist: settings.security?.ipAllowlist ?? [],
      keyMaxLifetimeDays: settings.security?.keyMaxLifetimeDays ?? null,
      sessionIdleTimeoutMinutes: settings.security?.sessionIdleTimeoutMinutes ?? null,
      sessionLifetimeHours: settings.security?.sessionLifetimeHours ?? null,
      mfaRequired: settings.security?.mfaRequired ?? false,
    },
  };
}

/**
 * RFC 7396 JSON merge patch: objects merge recursively, `null` removes a field, anything else
 * (arrays included) replaces. PATCH /v1/tenant applies it to settings and branding.
 */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  const base: Record<string, unknown> =
    target !== null && typeof target === 'object' && !Array.isArray(target) ? { ...(target as Record<string, unknown>) } : {};
  for (const [key, value] of Object.entries(patch as Record<string, unknown>)) {
    if (value === null) delete base[key];
    else base[key] = mergePatch(base[key], value);
  }
  return base;
}
