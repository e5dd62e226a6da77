import { Secret, TOTP } from 'otpauth';
import { useHub, useStarted } from '../support/harness';
import { eventually } from '../support/eventually';
import { asBrowser, inviteAndAccept, linkToken, signIn } from '../support/consoleUsers';
import { startSmtpCatcher } from '../support/smtpCatcher';
import { createKey } from '../support/tenantKeys';

describe('console sign-in: invites, password sessions, CSRF, roles, throttling, resets', () => {
  const smtp = useStarted(startSmtpCatcher, 'the SMTP catcher');
  const { hub, tenant, owner } = useHub({ env: () => ({ SMTP_URL: smtp.url }), tenants: [{}] });
  // A second API on the same database and Temporal with short limits: idle timeout 2 s, 3 failed sign-ins per address.
  const { hub: strict } = useHub({ worker: false, env: () => ({ SMTP_URL: smtp.url, SESSION_IDLE_TIMEOUT: '2s', SIGN_IN_FAILURES_PER_IP: '3' }) });

  it('invite → e-mailed link → accept with a password → sign in → the session cookie authenticates the API', async () => {
    const user = await inviteAndAccept(hub, smtp, tenant, 'manager');
    const mail = smtp.messages.find((message) => message.to.includes(user.email))!;
    // The link is single use.
    const again = await hub.request('POST', '/v1/auth/invitations/accept', { body: { token: linkToken(mail.text), password: 'another long password' } });
    expect(again.status).toBe(400);
    expect(again.body.error.code).toBe('LINK_INVALID');

    const { response, session } = await signIn(hub, { slug: tenant.slug.toUpperCase() }, user.email.toUpperCase(), user.password);
    expect(response.status).toBe(201);
    expect(response.body.user).toMatchObject({ id: user.id, role: 'manager', status: 'active' });
    const sessionCookie = session.setCookies.find((line) => line.startsWith('hub_session='))!;
    expect(sessionCookie).toMatch(/; HttpOnly/);
    expect(sessionCookie).toMatch(/; Secure/);
    expect(sessionCookie).toMatch(/; SameSite=Lax/);
    expect(session.setCookies.find((line) => line.startsWith('hub_csrf='))).not.toMatch(/HttpOnly/);
    // Only a hash of the session secret is stored.
    const secret = sessionCookie.split(';')[0]!.slice('hub_session='.length);
    const rows = await owner('user_sessions').where({ user_id: user.id });
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(secret);

    const browser = asBrowser(hub, session);
    const listed = await browser('GET', '/v1/users');
    expect(listed.status).toBe(200);
    expect(listed.body.data.map((row: { email: string }) => row.email)).toContain(user.email);
    const current = await browser('GET', '/v1/auth/session');
    expect(current.status).toBe(200);
    expect(current.body).toMatchObject({ user: { id: user.id }, csrfToken: session.csrfToken });

    // A change with the CSRF token works, and its audit row names the user.
    const created = await browser('POST', '/v1/users', { csrf: true, body: { email: `made-${Date.now()}@console.test`, name: 'Made', role: 'viewer' } });
    expect(created.status).toBe(201);
    const audit = await owner('audit_log').where({ tenant_id: tenant.id, action: 'user.created', target_id: created.body.user.id }).first();
    expect(audit).toMatchObject({ actor_type: 'user', actor_id: user.id, actor_role: 'manager' });

    // A cross-site POST carries the cookie but cannot know the token: refused.
    for (const headers of [{}, { 'X-CSRF-Token': 'forged' }] as Array<Record<string, string>>) {
      const forged = await browser('POST', '/v1/users', { headers, body: { email: `x-${Date.now()}@console.test`, name: 'X', role: 'viewer' } });
      expect(forged.status).toBe(403);
      expect(forged.body.error.code).toBe('CSRF_TOKEN_INVALID');
    }

    // Signing in again while holding a session gives a new secret (no fixation).
    const second = await signIn(hub, tenant, user.email, user.password, { Cookie: session.cookie });
    expect(second.session.cookie).not.toBe(session.cookie);
  });

  it('a viewer session gets the same 403 as a viewer key, and a bad cookie is 401', async () => {
    const viewer = await inviteAndAccept(hub, smtp, tenant, 'viewer');
    const { session } = await signIn(hub, tenant, viewer.email, viewer.password);
    const body = { email: `v-${Date.now()}@console.test`, name: 'V', role: 'viewer' };
    const bySession = await asBrowser(hub, session)('POST', '/v1/users', { csrf: true, body });
    const byKey = await hub.request('POST', '/v1/users', { key: (await createKey(hub, tenant, 'viewer')).key, body });
    expect(bySession.status).toBe(403);
    expect(byKey.status).toBe(403);
    expect(bySession.body.error.code).toBe(byKey.body.error.code);
    expect((await asBrowser(hub, session)('GET', '/v1/users')).status).toBe(200);

    const bogus = await hub.request('GET', '/v1/users', { headers: { Cookie: `hub_session=${tenant.id}.${'A'.repeat(43)}` } });
    expect(bogus.status).toBe(401);
    expect(bogus.body.error.code).toBe('SESSION_EXPIRED');
  });

  it('a member session creates API keys as its user and may revoke only those', async () => {
    const member = await inviteAndAccept(hub, smtp, tenant, 'member');
    const browser = asBrowser(hub, (await signIn(hub, tenant, member.email, member.password)).session);
    const created = await browser('POST', '/v1/api-keys', { csrf: true, body: { name: 'from the console', role: 'viewer' } });
    expect(created.status).toBe(201);
    expect((await owner('api_keys').where({ id: created.body.apiKey.id }).first()).created_by).toBe(`user:${member.id}`);
    expect((await browser('DELETE', `/v1/api-keys/${created.body.apiKey.id}`, { csrf: true })).status).toBe(204);
    const othersKey = await createKey(hub, tenant, 'viewer');
    expect((await browser('DELETE', `/v1/api-keys/${othersKey.id}`, { csrf: true })).status).toBe(403);
  });

  it('a session ends after its idle timeout', async () => {
    const user = await inviteAndAccept(hub, smtp, tenant, 'member');
    const { response, session } = await signIn(strict, tenant, user.email, user.password);
    expect(response.body.session.idleTimeoutSeconds).toBe(2);
    const browser = asBrowser(strict, session);
    expect((await browser('GET', '/v1/users')).status).toBe(200);
    await eventually(
      async () => {
        const [row] = await owner('user_sessions')
          .where({ id: response.body.session.id })
          .select(owner.raw(`now() - last_seen_at > interval '2.2 seconds' as idle`));
        return row.idle ? true : undefined;
      },
      15_000,
      'the session to be idle for longer than its timeout',
    );
    const expired = await browser('GET', '/v1/users');
    expect(expired.status).toBe(401);
    expect(expired.body.error.code).toBe('SESSION_EXPIRED');
  });

  it("the tenant's security settings set a session's idle timeout and lifetime", async () => {
    const other = await hub.createTenant();
    const patched = await hub.request('PATCH', '/v1/tenant', {
      key: other.key,
      body: { settings: { security: { sessionIdleTimeoutMinutes: 5, sessionLifetimeHours: 2 } } },
    });
    expect(patched.status).toBe(200);
    const user = await inviteAndAccept(hub, smtp, other, 'viewer');
    const before = Date.now();
    const { response, session } = await signIn(hub, other, user.email, user.password);
    expect(response.body.session.idleTimeoutSeconds).toBe(300);
    expect(Math.abs(Date.parse(response.body.session.expiresAt) - before - 2 * 3_600_000)).toBeLessThan(60_000);
    expect(session.setCookies.find((line) => line.startsWith('hub_session='))).toMatch(/Max-Age=7200/);
  });

  it('sign out ends one session; sign out everywhere ends them all', async () => {
    const user = await inviteAndAccept(hub, smtp, tenant, 'member');
    const sessions = await Promise.all([1, 2, 3].map(async () => (await signIn(hub, tenant, user.email, user.password)).session));
    const [first, second, third] = sessions.map((session) => asBrowser(hub, session));

    expect((await first!('POST', '/v1/auth/sign-out')).status).toBe(403);
    const out = await first!('POST', '/v1/auth/sign-out', { csrf: true });
    expect(out.status).toBe(204);
    expect(out.headers.getSetCookie().some((line) => line.startsWith('hub_session=;') && line.includes('Max-Age=0'))).toBe(true);
    expect((await first!('GET', '/v1/users')).status).toBe(401);
    expect((await second!('GET', '/v1/users')).status).toBe(200);

    const everywhere = await second!('POST', '/v1/auth/sign-out-everywhere', { csrf: true });
    expect(everywhere.status).toBe(200);
    expect(everywhere.body.revokedSessions).toBe(2);
    expect((await second!('GET', '/v1/users')).status).toBe(401);
    expect((await third!('GET', '/v1/users')).status).toBe(401);
    const actions = await owner('audit_log').where({ tenant_id: tenant.id, target_id: user.id }).pluck('action');
    expect(actions).toEqual(expect.arrayContaining(['user.signed_in', 'user.signed_out', 'user.signed_out_everywhere']));
  });

  it('failed sign-ins lock the account with the same answer for known and unknown e-mails, and are audited', async () => {
    const user = await inviteAndAccept(hub, smtp, tenant, 'member');
    const unknown = `nobody-${Date.now()}@console.test`;
    const answers: Record<'known' | 'unknown', Array<{ status: number; code: string; message: string }>> = { known: [], unknown: [] };
    for (const [which, email] of [
      ['known', user.email],
      ['unknown', unknown],
    ] as const) {
      for (let attempt = 0; attempt < 6; attempt++) {
        const { response } = await signIn(hub, tenant, email, 'wrong password!');
        answers[which].push({ status: response.status, code: response.body.error.code, message: response.body.error.message });
      }
    }
    expect(answers.known).toEqual(answers.unknown);
    expect(answers.known.slice(0, 5).every((answer) => answer.status === 401 && answer.code === 'INVALID_CREDENTIALS')).toBe(true);
    expect(answers.known[5]).toMatchObject({ status: 429, code: 'SIGN_IN_LOCKED' });
    // Locked means locked: the right password does not get in either.
    expect((await signIn(hub, tenant, user.email, user.password)).response.status).toBe(429);

    const failures = await owner('audit_log').where({ tenant_id: tenant.id, action: 'user.sign_in_failed' }).select('details', 'target_id');
    expect(failures.filter((row) => row.target_id === user.id && row.details.reason === 'wrong_password')).toHaveLength(5);
    expect(failures.filter((row) => row.details.email === unknown && row.details.reason === 'unknown_email')).toHaveLength(5);
    expect(JSON.stringify(failures)).not.toContain('wrong password!');
  });

  it('failed sign-ins are throttled per address across accounts', async () => {
    for (let attempt = 0; attempt < 3; attempt++) {
      expect((await signIn(strict, tenant, `guess-${attempt}@console.test`, 'wrong password!')).response.status).toBe(401);
    }
    const locked = await signIn(strict, tenant, 'yet-another@console.test', 'wrong password!');
    expect(locked.response.status).toBe(429);
    expect(locked.response.body.error.code).toBe('SIGN_IN_LOCKED');
    expect(Number(locked.response.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('a reset link sets a new password once and signs every session out', async () => {
    const user = await inviteAndAccept(hub, smtp, tenant, 'member');
    const { session } = await signIn(hub, tenant, user.email, user.password);

    const unknown = `ghost-${Date.now()}@console.test`;
    for (const email of [user.email, unknown]) {
      const requested = await hub.request('POST', '/v1/auth/password-resets', { body: { tenant: tenant.slug, email } });
      expect(requested.status).toBe(202);
      expect(requested.body).toEqual({ accepted: true });
    }
    const mail = await smtp.waitFor(user.email, 'Reset');
    const token = linkToken(mail.text);
    const newPassword = 'a brand new passphrase';
    expect((await hub.request('POST', '/v1/auth/password-resets/complete', { body: { token, password: 'short' } })).status).toBe(400);
    expect((await hub.request('POST', '/v1/auth/password-resets/complete', { body: { token, password: newPassword } })).status).toBe(204);
    expect((await hub.request('POST', '/v1/auth/password-resets/complete', { body: { token, password: newPassword } })).body.error.code).toBe('LINK_INVALID');

    expect((await asBrowser(hub, session)('GET', '/v1/users')).status).toBe(401);
    expect((await signIn(hub, tenant, user.email, user.password)).response.status).toBe(401);
    expect((await signIn(hub, tenant, user.email, newPassword)).response.status).toBe(201);
    expect(smtp.messages.some((message) => message.to.includes(unknown))).toBe(false);
  });

  it("the tenant's IP allowlist applies to sessions", async () => {
    const other = await hub.createTenant();
    const user = await inviteAndAccept(hub, smtp, other, 'admin');
    const { session } = await signIn(hub, other, user.email, user.password);
    expect((await asBrowser(hub, session)('GET', '/v1/users')).status).toBe(200);
    // Set behind the API's back: PATCH /v1/tenant refuses an allowlist that locks its caller out.
    await owner('tenants')
      .where({ id: other.id })
      .update({ settings: owner.raw(`jsonb_set(settings, '{security}', '{"ipAllowlist": ["203.0.113.0/24"]}')`) });
    const refused = await asBrowser(hub, session)('GET', '/v1/users');
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('IP_NOT_ALLOWED');
    // From outside the allowlist not even a wrong password is tried: the same 403.
    expect((await signIn(hub, other, user.email, user.password)).response.status).toBe(403);
    expect((await signIn(hub, other, user.email, 'wrong password!')).response.body.error.code).toBe('IP_NOT_ALLOWED');
  });

  const totpCode = (secret: string, at = Date.now()) => new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: at });

  it('TOTP MFA: enrol with a code, then sign-in needs a code or a single-use recovery code', async () => {
    const user = await inviteAndAccept(hub, smtp, tenant, 'member');
    const browser = asBrowser(hub, (await signIn(hub, tenant, user.email, user.password)).session);
    expect((await browser('POST', '/v1/auth/mfa/enrolment')).status).toBe(403);
    const enrolment = await browser('POST', '/v1/auth/mfa/enrolment', { csrf: true });
    expect(enrolment.status).toBe(201);
    const secret = enrolment.body.secret as string;
    expect(enrolment.body.otpauthUri).toMatch(/^otpauth:\/\/totp\/.*secret=/);
    expect(JSON.stringify(await owner('user_mfa').where({ user_id: user.id }))).not.toContain(secret);

    const stale = totpCode(secret, Date.now() - 10 * 60_000);
    const wrong = await browser('POST', '/v1/auth/mfa/enrolment/confirm', { csrf: true, body: { totpCode: stale } });
    expect(wrong.body.error.code).toBe('MFA_CODE_INVALID');
    const confirmed = await browser('POST', '/v1/auth/mfa/enrolment/confirm', { csrf: true, body: { totpCode: totpCode(secret) } });
    expect(confirmed.status).toBe(200);
    const recoveryCodes = confirmed.body.recoveryCodes as string[];
    expect(new Set(recoveryCodes).size).toBe(10);
    expect(JSON.stringify(await owner('user_recovery_codes').where({ user_id: user.id }))).not.toContain(recoveryCodes[0]!);
    expect((await browser('POST', '/v1/auth/mfa/enrolment', { csrf: true })).body.error.code).toBe('MFA_ALREADY_ENABLED');

    const attempt = (extra: Record<string, string>) =>
      hub.request('POST', '/v1/auth/sign-in', { body: { tenant: tenant.slug, email: user.email, password: user.password, ...extra } });
    expect((await attempt({})).body.error.code).toBe('MFA_REQUIRED');
    expect((await attempt({ totpCode: stale })).body.error.code).toBe('INVALID_CREDENTIALS');
    const code = totpCode(secret);
    expect((await attempt({ totpCode: code })).status).toBe(201);
    // The same code does not sign in twice.
    expect((await attempt({ totpCode: code })).body.error.code).toBe('INVALID_CREDENTIALS');
    expect((await attempt({ recoveryCode: recoveryCodes[3]!.toUpperCase() })).status).toBe(201);
    expect((await attempt({ recoveryCode: recoveryCodes[3]! })).body.error.code).toBe('INVALID_CREDENTIALS');
    const reasons = await owner('audit_log').where({ tenant_id: tenant.id, action: 'user.sign_in_failed', target_id: user.id }).pluck('details');
    expect(reasons.map((details) => details.reason)).toEqual(['wrong_second_factor', 'wrong_second_factor', 'wrong_second_factor']);
  });

  it('a tenant that requires MFA lets a user without it do nothing but enrol', async () => {
    const other = await hub.createTenant();
    const required = await hub.request('PATCH', '/v1/tenant', { key: other.key, body: { settings: { security: { mfaRequired: true } } } });
    expect(required.status).toBe(200);
    expect(required.body.tenant.settings.security.mfaRequired).toBe(true);
    const user = await inviteAndAccept(hub, smtp, other, 'viewer');
    const { response, session } = await signIn(hub, other, user.email, user.password);
    expect(response.status).toBe(201);
    expect(response.body.session.mfaPending).toBe(true);
    const browser = asBrowser(hub, session);
    const refused = await browser('GET', '/v1/users');
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('MFA_ENROLMENT_REQUIRED');
    expect((await browser('GET', '/v1/auth/session')).body.session.mfaPending).toBe(true);

    const secret = (await browser('POST', '/v1/auth/mfa/enrolment', { csrf: true })).body.secret as string;
    expect((await browser('POST', '/v1/auth/mfa/enrolment/confirm', { csrf: true, body: { totpCode: totpCode(secret) } })).status).toBe(200);
    expect((await browser('GET', '/v1/users')).status).toBe(200);
    expect((await signIn(hub, other, user.email, user.password)).response.body.error.code).toBe('MFA_REQUIRED');
  });
});
