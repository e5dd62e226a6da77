import { Secret, TOTP } from 'otpauth';
import { useHub, useStarted } from '../support/harness';
import { asBrowser, inviteAndAccept, linkToken, signIn, type ConsoleUser } from '../support/consoleUsers';
import { startSmtpCatcher } from '../support/smtpCatcher';
import { type CreatedTenant, type TestHub } from '../support/hub';

const totpCode = (secret: string, at = Date.now()) => new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: at });

describe('console account: invite answer, MFA status, turning MFA off, new recovery codes, own sessions', () => {
  const smtp = useStarted(startSmtpCatcher, 'the SMTP catcher');
  const { hub, tenant, owner } = useHub({ env: () => ({ SMTP_URL: smtp.url }), tenants: [{}] });

  /** A signed-in user with MFA on: its browser, TOTP secret and recovery codes. */
  async function enrolledUser(on: TestHub, where: CreatedTenant, user: ConsoleUser) {
    const browser = asBrowser(on, (await signIn(on, where, user.email, user.password)).session);
    const secret = (await browser('POST', '/v1/auth/mfa/enrolment', { csrf: true })).body.secret as string;
    const confirmed = await browser('POST', '/v1/auth/mfa/enrolment/confirm', { csrf: true, body: { totpCode: totpCode(secret) } });
    expect(confirmed.status).toBe(200);
    return { browser, secret, recoveryCodes: confirmed.body.recoveryCodes as string[] };
  }

  it('accepting an invite answers the tenant slug and e-mail the sign-in page is prefilled with', async () => {
    const created = await hub.request('POST', '/v1/users', {
      key: tenant.key,
      body: { email: `prefill-${Date.now()}@console.test`, name: 'P', role: 'viewer' },
    });
    await hub.request('POST', `/v1/users/${created.body.user.id}/invitation`, { key: tenant.key });
    const mail = await smtp.waitFor(created.body.user.email, 'invited');
    const accepted = await hub.request('POST', '/v1/auth/invitations/accept', { body: { token: linkToken(mail.text), password: 'twelve chars or more' } });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ user: { email: created.body.user.email, status: 'active' }, tenant: { slug: tenant.slug } });
  });

  it('MFA status, then new recovery codes proven with the password: the old codes stop working; audited', async () => {
    const user = await inviteAndAccept(hub, smtp, tenant, 'member');
    const fresh = asBrowser(hub, (await signIn(hub, tenant, user.email, user.password)).session);
    expect((await fresh('GET', '/v1/auth/mfa')).body).toEqual({ enabled: false, enabledAt: null, recoveryCodesLeft: 0, requiredByTenant: false });
    expect((await fresh('POST', '/v1/auth/mfa/recovery-codes', { csrf: true, body: { password: user.password } })).body.error.code).toBe('MFA_NOT_ENABLED');

    const { browser, recoveryCodes } = await enrolledUser(hub, tenant, user);
    const status = (await browser('GET', '/v1/auth/mfa')).body;
    expect(status).toMatchObject({ enabled: true, recoveryCodesLeft: 10, requiredByTenant: false });
    expect(Date.parse(status.enabledAt)).toBeGreaterThan(Date.now() - 60_000);

    expect((await browser('POST', '/v1/auth/mfa/recovery-codes', { body: { password: user.password } })).body.error.code).toBe('CSRF_TOKEN_INVALID');
    expect((await browser('POST', '/v1/auth/mfa/recovery-codes', { csrf: true, body: {} })).body.error.code).toBe('REAUTHENTICATION_REQUIRED');
    const wrong = await browser('POST', '/v1/auth/mfa/recovery-codes', { csrf: true, body: { password: 'not the password' } });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe('REAUTHENTICATION_FAILED');

    const renewed = await browser('POST', '/v1/auth/mfa/recovery-codes', { csrf: true, body: { password: user.password } });
    expect(renewed.status).toBe(200);
    expect(renewed.headers.get('cache-control')).toBe('no-store');
    const newCodes = renewed.body.recoveryCodes as string[];
    expect(new Set(newCodes).size).toBe(10);
    expect(newCodes).not.toContain(recoveryCodes[0]);
    const attempt = (recoveryCode: string) =>
      hub.request('POST', '/v1/auth/sign-in', { body: { tenant: tenant.slug, email: user.email, password: user.password, recoveryCode } });
    expect((await attempt(recoveryCodes[0]!)).body.error.code).toBe('INVALID_CREDENTIALS');
    expect((await attempt(newCodes[0]!)).status).toBe(201);
    expect((await browser('GET', '/v1/auth/mfa')).body.recoveryCodesLeft).toBe(9);

    const audit = await owner('audit_log').where({ tenant_id: tenant.id, action: 'user.mfa_recovery_codes_regenerated', target_id: user.id });
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_type: 'user', actor_id: user.id, details: { verifiedWith: 'password' } });
    expect(JSON.stringify(audit)).not.toContain(user.password);
  });

  it('turning MFA off needs a current code or the password; sign-in then needs no code; audited', async () => {
    const user = await inviteAndAccept(hub, smtp, tenant, 'viewer');
    const { browser, secret } = await enrolledUser(hub, tenant, user);
    const stale = totpCode(secret, Date.now() - 10 * 60_000);
    expect((await browser('DELETE', '/v1/auth/mfa', { csrf: true, body: { totpCode: stale } })).body.error.code).toBe('REAUTHENTICATION_FAILED');
    expect((await browser('DELETE', '/v1/auth/mfa', { csrf: true, body: { password: user.password, totpCode: totpCode(secret) } })).status).toBe(400);
    expect((await browser('GET', '/v1/auth/mfa')).body.enabled).toBe(true);

    const off = await browser('DELETE', '/v1/auth/mfa', { csrf: true, body: { totpCode: totpCode(secret) } });
    expect(off.status).toBe(204);
    expect((await browser('GET', '/v1/auth/mfa')).body).toMatchObject({ enabled: false, recoveryCodesLeft: 0 });
    expect(await owner('user_mfa').where({ user_id: user.id })).toHaveLength(0);
    expect(await owner('user_recovery_codes').where({ user_id: user.id })).toHaveLength(0);
    expect((await signIn(hub, tenant, user.email, user.password)).response.status).toBe(201);
    expect((await browser('DELETE', '/v1/auth/mfa', { csrf: true, body: { password: user.password } })).body.error.code).toBe('MFA_NOT_ENABLED');
    const audit = await owner('audit_log').where({ tenant_id: tenant.id, action: 'user.mfa_disabled', target_id: user.id }).first();
    expect(audit).toMatchObject({ actor_type: 'user', actor_id: user.id, details: { verifiedWith: 'totp' } });
  });

  it('a tenant that requires MFA refuses to turn it off', async () => {
    const other = await hub.createTenant();
    const user = await inviteAndAccept(hub, smtp, other, 'admin');
    const { browser } = await enrolledUser(hub, other, user);
    expect((await hub.request('PATCH', '/v1/tenant', { key: other.key, body: { settings: { security: { mfaRequired: true } } } })).status).toBe(200);
    expect((await browser('GET', '/v1/auth/mfa')).body.requiredByTenant).toBe(true);
    const refused = await browser('DELETE', '/v1/auth/mfa', { csrf: true, body: { password: user.password } });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('MFA_REQUIRED_BY_TENANT');
    expect((await browser('GET', '/v1/auth/mfa')).body.enabled).toBe(true);
  });

  it('wrong passwords on a signed-in account count as failed sign-ins and lock it', async () => {
    const user = await inviteAndAccept(hub, smtp, tenant, 'member');
    const { browser } = await enrolledUser(hub, tenant, user);
    const codes: number[] = [];
    for (let attempt = 0; attempt < 6; attempt++) {
      codes.push((await browser('DELETE', '/v1/auth/mfa', { csrf: true, body: { password: `guess number ${attempt}` } })).status);
    }
    expect(codes).toEqual([400, 400, 400, 400, 400, 429]);
    // Locked for sign-in as well, right password or not.
    expect((await signIn(hub, tenant, user.email, user.password)).response.body.error.code).toBe('SIGN_IN_LOCKED');
    expect((await browser('GET', '/v1/auth/mfa')).body.enabled).toBe(true);
    const failures = await owner('audit_log').where({ tenant_id: tenant.id, action: 'user.reauthentication_failed', target_id: user.id });
    expect(failures).toHaveLength(5);
    expect(failures[0]).toMatchObject({ actor_type: 'user', actor_id: user.id, details: { method: 'password', for: 'DELETE /v1/auth/mfa' } });
    expect(JSON.stringify(failures)).not.toContain('guess number');
  });

  it('lists the live sessions of the signed-in user only, marking the current one', async () => {
    const user = await inviteAndAccept(hub, smtp, tenant, 'viewer');
    const someoneElse = await inviteAndAccept(hub, smtp, tenant, 'viewer');
    await signIn(hub, tenant, someoneElse.email, someoneElse.password);
    const sessions = await Promise.all([1, 2, 3].map(async () => (await signIn(hub, tenant, user.email, user.password)).response.body.session.id as string));
    const browser = asBrowser(hub, (await signIn(hub, tenant, user.email, user.password)).session);
    const signedOut = asBrowser(hub, (await signIn(hub, tenant, user.email, user.password)).session);
    expect((await signedOut('POST', '/v1/auth/sign-out', { csrf: true })).status).toBe(204);

    const listed = await browser('GET', '/v1/auth/sessions');
    expect(listed.status).toBe(200);
    const rows = listed.body.data as Array<{ id: string; current: boolean; ip: string | null; method: string }>;
    expect(rows).toHaveLength(4);
    expect(rows.filter((row) => row.current)).toHaveLength(1);
    expect(rows.filter((row) => !row.current).map((row) => row.id)).toEqual(expect.arrayContaining(sessions));
    expect(rows.every((row) => row.method === 'password' && typeof row.ip === 'string')).toBe(true);
    expect((await hub.request('GET', '/v1/auth/sessions')).status).toBe(401);
  });
});
