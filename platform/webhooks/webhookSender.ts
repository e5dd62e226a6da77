import { Webhook } from 'standardwebhooks';
import { type HubConfig, durationMs } from '../config';
import { createGuardedFetch, ForbiddenDestinationError, guardedDispatcher, type NetworkPolicy } from '../network/guardedNetwork';
import { tenantNetworkPolicy } from '../network/tenantAllowances';

/** How one attempt went. `gone`: the receiver answered 410 (the endpoint is to be disabled). */
export interface SendResult {
  outcome: 'succeeded' | 'failed' | 'gone' | 'refused';
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
  /** From `Retry-After` on 429 and 503, in milliseconds. */
  retryAfterMs: number | null;
}

export interface WebhookMessage {
  url: string;
  /** `whsec_…` */
  secret: string;
  /** The event id: `webhook-id`, the same on every attempt. */
  messageId: string;
  /** The exact bytes that are signed and sent. */
  body: string;
  /** Private ranges the platform admin granted the endpoint's tenant (default none). */
  allowedCidrs?: readonly string[];
}

/** Largest response body read from a receiver (the rest is discarded). */
const MAX_RESPONSE_BYTES = 64 * 1024;
const MAX_RETRY_AFTER_MS = 24 * 3_600_000;
/** Distinct allowance sets kept with their connection pools (the oldest is dropped past it). */
const MAX_POLICIES = 256;

/**
 * Sends Standard Webhooks messages: `webhook-id`, `webhook-timestamp` (this attempt's time),
 * `webhook-signature: v1,<base64 HMAC-SHA256 of "id.timestamp.body">` signed with the npm
 * `standardwebhooks` library. Destinations pass the SSRF guard at connect time (after DNS), with
 * the private ranges granted to the message's tenant only;
 * redirects are not followed (a 3xx is a failure); the whole exchange is bounded by
 * WEBHOOK_TIMEOUT and the response body by 64 KiB. One sender per process keeps connections alive.
 */
export function createWebhookSender(
  config: Pick<HubConfig, 'HUB_ALLOW_PRIVATE_NETWORK' | 'HUB_NETWORK_ALLOWLIST' | 'WEBHOOK_TIMEOUT'> & Partial<Pick<HubConfig, 'HUB_ALLOW_INSECURE_HTTP'>>,
) {
  const timeoutMs = durationMs(config.WEBHOOK_TIMEOUT);
  // One fetch (and connection pool) per set of allowed ranges: tenants without allowances share one.
  const fetches = new Map<string, ReturnType<typeof createGuardedFetch>>();
  const fetchFor = (allowedCidrs: readonly string[]) => {
    const key = [...allowedCidrs].sort().join(',');
    let guardedFetch = fetches.get(key);
    if (!guardedFetch) {
      const policy: NetworkPolicy = tenantNetworkPolicy(config, allowedCidrs);
      guardedFetch = createGuardedFetch(policy, guardedDispatcher(policy, { connectMs: Math.min(10_000, timeoutMs), headersMs: timeoutMs, bodyMs: timeoutMs }));
      if (fetches.size >= MAX_POLICIES) fetches.delete(fetches.keys().next().value!);
      fetches.set(key, guardedFetch);
    }
    return guardedFetch;
  };

  return async function send(message: WebhookMessage, now: Date = new Date()): Promise<SendResult> {
    const guardedFetch = fetchFor(message.allowedCidrs ?? []);
    const signature = new Webhook(message.secret).sign(message.messageId, now, message.body);
    const started = performance.now();
    const latency = () => Math.round((performance.now() - started) * 100) / 100;
    try {
      const response = await guardedFetch(message.url, {
        method: 'POST',
        body: message.body,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'IntegrationHub-Webhooks/1.0',
          'webhook-id': message.messageId,
          'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
          'webhook-signature': signature,
        },
        maxRedirects: 0,
        timeoutMs,
        maxResponseBytes: MAX_RESPONSE_BYTES,
        oversize: 'truncate',
      });
      const text = await response.text().catch(() => '');
      const status = response.status;
      if (status >= 200 && status < 300) return { outcome: 'succeeded', statusCode: status, latencyMs: latency(), error: null, retryAfterMs: null };
      const snippet = text.replace(/\s+/g, ' ').trim().slice(0, 200);
      const reason = status >= 300 && status < 400 ? 'redirects are not followed' : `HTTP ${status}`;
      return {
        outcome: status === 410 ? 'gone' : 'failed',
        statusCode: status,
        latencyMs: latency(),
        error: snippet ? `${reason}: ${snippet}` : reason,
        retryAfterMs: status === 429 || status === 503 ? parseRetryAfter(response.headers.get('retry-after'), now) : null,
      };
    } catch (error) {
      const refused =
        error instanceof ForbiddenDestinationError
          ? error
          : (error as { cause?: unknown })?.cause instanceof ForbiddenDestinationError
            ? ((error as { cause: Error }).cause as ForbiddenDestinationError)
            : undefined;
      if (refused) return { outcome: 'refused', statusCode: null, latencyMs: latency(), error: `destination refused: ${refused.message}`, retryAfterMs: null };
      return { outcome: 'failed', statusCode: null, latencyMs: latency(), error: describeNetworkError(error, timeoutMs), retryAfterMs: null };
    }
  };
}

export type WebhookSender = ReturnType<typeof createWebhookSender>;

/** `Retry-After: 120` or an HTTP date → milliseconds from now (capped at 24 h). */
export function parseRetryAfter(value: string | null, now: Date): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  let ms: number;
  if (/^\d+$/.test(trimmed)) ms = Number(trimmed) * 1000;
  else {
    const at = Date.parse(trimmed);
    if (Number.isNaN(at)) return null;
    ms = at - now.getTime();
  }
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, ms));
}

function describeNetworkError(error: unknown, timeoutMs: number): string {
  const err = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return `timed out after ${timeoutMs} ms`;
  const cause = err?.cause;
  if (cause?.code) return `${cause.code}${cause.message ? `: ${cause.message}` : ''}`;
  return err?.message ?? String(error);
}
