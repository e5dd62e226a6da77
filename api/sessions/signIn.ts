import { z } from 'zod';
import { appendAudit } from '../../platform/audit';
import { inCidrs } from '../../platform/network/addressPolicy';
import { verifyPassword } from '../../platform/sessions/passwords';
import { effectiveSettings } from '../../platform/tenants/settings';
import { passwordSignInRefused } from '../../platform/identity/identitySettings';
import { ApiError } from '../errors';
import { defineRoute } from '../http/route';
import { toUserView, userSchema, type UserRow } from '../users/userView';
import { accountKey } from './signInThrottle';
import { mfaRow, secondFactorAccepted } from './secondFactor';
import { sessionSchema, startSession } from './startSession';
import { tenantBySlug } from './tenantBySlug';

const invalidCredentials = () => new ApiError(401, 'INVALID_CREDENTIALS', 'The tenant, e-mail or password is wrong');

export const signIn = defineRoute({
  method: 'post',
  path: '/v1/auth/sign-in',
  auth: 'public',
  summary: 'Sign in to the console with e-mail and password; sets the HttpOnly session cookie and the CSRF cookie',
  tags: ['sessions'],
  body: z.strictObject({
    tenant: z.string().min(1).max(48).describe('The tenant slug (e-mails are unique per tenant)'),
    email: z.string().trim().min(3).max(320),
    password: z.string().min(1).max(256),
    totpCode: z.string().max(16).optional().describe('The current code of the authenticator app, for a user with MFA'),
    recoveryCode: z.string().max(32).optional().describe('An unused recovery code, instead of totpCode'),
  }),
  responses: {
    201: {
      description: 'Signed in: Set-Cookie hub_session (HttpOnly) and hub_csrf; send the CSRF token as X-CSRF-Token on every change',
      schema: z.object({ user: userSchema, session: sessionSchema, csrfToken: z.string() }),
    },
    401: {
      description:
        'Unknown tenant or e-mail, wrong password, a user who is not active, or a wrong second factor (INVALID_CREDENTIALS); the password is right but the user has MFA and sent no code (MFA_REQUIRED)',
    },
    403: {
      description:
        "The tenant's IP allowlist does not include the caller (IP_NOT_ALLOWED); the tenant requires SSO for the e-mail's verified domain and the user is not its break-glass admin (SSO_REQUIRED)",
    },
    429: { description: 'Too many failed sign-ins for the account or from the address, known e-mail or not (SIGN_IN_LOCKED, Retry-After)' },
  },
  async handler({ deps, req, res, body }) {
    const { signIns } = deps.controlPlane;
    const account = accountKey(body.tenant, body.email);
    const address = req.ip ?? 'unknown';
    await signIns.assertAllowed(account, address);

    const tenant = await tenantBySlug(deps.db, body.tenant);
    // Outside the allowlist no password is even tried (so none can be guessed from there).
    const allowlist = tenant ? effectiveSettings(tenant.plan, tenant.settings).security.ipAllowlist : [];
    if (allowlist.length > 0 && !inCidrs(req.ip ?? '', allowlist)) {
      throw new ApiError(403, 'IP_NOT_ALLOWED', "This tenant's IP allowlist does not include the caller's address");
    }
    const found = tenant
      ? await deps.db.withTenant(tenant.id, async (trx) => {
          const user = await trx<UserRow>('users').whereRaw('lower(email) = lower(?)', [body.email]).first();
          const credential = user
            ? await trx('user_credentials').where({ user_id: user.id }).first<{ password_hash: string } | undefined>('password_hash')
            : undefined;
          return { user, passwordHash: credential?.password_hash };
        })
      : undefined;
    const passwordOk = await verifyPassword(found?.passwordHash, body.password);
    const user = found?.user;
    const fail = async (reason: string) => {
      await signIns.recordFailure(account, address);
      if (tenant) {
        await deps.db.withTenant(tenant.id, (trx) =>
          appendAudit(trx, {
            tenantId: tenant.id,
            actor: { type: 'user', id: user?.id, ip: req.ip, requestId: String(req.id ?? '') || undefined },
            action: 'user.sign_in_failed',
            ...(user ? { target: { type: 'user', id: user.id } } : {}),
            details: { email: body.email.toLowerCase(), reason },
          }),
        );
      }
      return invalidCredentials();
    };
    // SSO required: people of the tenant's verified domains sign in at their identity provider (the break-glass admin excepted).
    if (tenant && passwordOk && (await deps.db.withTenant(tenant.id, (trx) => passwordSignInRefused(trx, body.email, user?.id)))) {
      await fail('sso_required');
      throw new ApiError(403, 'SSO_REQUIRED', 'This organisation signs its people in with single sign-on: use "Sign in with SSO"');
    }
    if (!tenant || !user || !passwordOk || user.status !== 'active') {
      throw await fail(!user ? 'unknown_email' : !passwordOk ? 'wrong_password' : 'user_not_active');
    }
    const security = effectiveSettings(tenant.plan, tenant.settings).security;
    // The second factor, for a user who enrolled: checked (and a TOTP step or recovery code spent) before any session exists.
    const mfa = await deps.db.withTenant(tenant.id, async (trx) => {
      const row = await mfaRow(trx, user.id);
      if (!row?.enabled_at) return { enrolled: false, accepted: false };
      return { enrolled: true, accepted: await secondFactorAccepted(trx, deps.vault, { tenantId: tenant.id, userId: user.id, row }, body) };
    });
    if (mfa.enrolled && body.totpCode === undefined && body.recoveryCode === undefined) {
      throw new ApiError(401, 'MFA_REQUIRED', 'Send the code of your authenticator app as totpCode (or a recovery code as recoveryCode)');
    }
    if (mfa.enrolled && !mfa.accepted) throw await fail('wrong_second_factor');
    await signIns.clearAccount(account);
    const started = await deps.db.withTenant(tenant.id, async (trx) => {
      const opened = await startSession(
        trx,
        { config: deps.config, req, res },
        {
          tenantId: tenant.id,
          plan: tenant.plan,
          settings: tenant.settings,
          userId: user.id,
          method: 'password',
          mfaPending: security.mfaRequired && !mfa.enrolled,
        },
      );
      await trx('users').where({ id: user.id }).update({ last_active_at: trx.fn.now() });
      await appendAudit(trx, {
        tenantId: tenant.id,
        actor: { type: 'user', id: user.id, role: user.role, ip: req.ip, requestId: String(req.id ?? '') || undefined },
        action: 'user.signed_in',
        target: { type: 'user', id: user.id },
        details: { method: 'password', mfa: mfa.enrolled, sessionId: opened.session.id },
      });
      return opened;
    });
    return { status: 201, headers: { 'Cache-Control': 'no-store' }, body: { user: toUserView(user), ...started } };
  },
});
