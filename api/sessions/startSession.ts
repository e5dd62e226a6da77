import { randomUUID } from 'node:crypto';
import { type Request, type Response } from 'express';
import { z } from 'zod';
import { durationMs, type HubConfig } from '../../platform/config';
import { type TenantTransaction } from '../../platform/db';
import { effectiveSettings, type TenantSettings } from '../../platform/tenants/settings';
import { type PlanId } from '../../platform/billing/catalogue';
import { newTenantToken } from '../../platform/sessions/tenantTokens';
import { csrfTokenFor, setSessionCookies } from './sessionCookies';

/** How a session was signed in: a password, or single sign-on through an OIDC or SAML connection (docs/sso.md). */
export type SessionMethod = 'password' | 'oidc' | 'saml';

/** A session as the API shows it (never its secret). */
export const sessionSchema = z.object({
  id: z.uuid(),
  userId: z.uuid(),
  method: z.string(),
  idleTimeoutSeconds: z.number().int(),
  expiresAt: z.iso.datetime(),
  mfaPending: z.boolean().describe('The tenant requires MFA and the user must enrol before anything else'),
});

/**
 * Opens a new session for a user who has proven who they are, and sets its cookies. Always a new
 * random secret (never one the browser brought): a fixed session id cannot survive sign-in. Idle
 * timeout and lifetime come from the tenant's security settings, else SESSION_IDLE_TIMEOUT and
 * SESSION_LIFETIME.
 */
export async function startSession(
  trx: TenantTransaction,
  ctx: { config: HubConfig; req: Request; res: Response },
  who: { tenantId: string; plan: PlanId; settings: TenantSettings | Record<string, unknown>; userId: string; method: SessionMethod; mfaPending: boolean },
): Promise<{ session: z.infer<typeof sessionSchema>; csrfToken: string }> {
  const security = effectiveSettings(who.plan, who.settings).security;
  const idleTimeoutSeconds = Math.max(1, Math.round((security.sessionIdleTimeoutMinutes ?? 0) * 60 || durationMs(ctx.config.SESSION_IDLE_TIMEOUT) / 1000));
  const lifetimeSeconds = Math.max(1, Math.round((security.sessionLifetimeHours ?? 0) * 3600 || durationMs(ctx.config.SESSION_LIFETIME) / 1000));
  const { token, hash } = newTenantToken(who.tenantId);
  const id = randomUUID();
  const expiresAt = new Date(Date.now() + lifetimeSeconds * 1000);
  await trx('user_sessions').insert({
    id,
    tenant_id: who.tenantId,
    user_id: who.userId,
    id_hash: hash,
    auth_method: who.method,
    idle_timeout_seconds: idleTimeoutSeconds,
    expires_at: expiresAt,
    mfa_pending: who.mfaPending,
    ip: ctx.req.ip ?? null,
  });
  setSessionCookies(ctx.res, ctx.config, token, lifetimeSeconds);
  return {
    session: { id, userId: who.userId, method: who.method, idleTimeoutSeconds, expiresAt: expiresAt.toISOString(), mfaPending: who.mfaPending },
    csrfToken: csrfTokenFor(token),
  };
}
