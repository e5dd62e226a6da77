import { startDnsStub } from '../peers/dns/dnsStub';
import { startOidcPeer } from '../peers/oidc/oidcPeer';
import { linkToken } from '../support/consoleUsers';
import { useHub, useStarted } from '../support/harness';
import { type TestHub, type CreatedTenant } from '../support/hub';
import { startSmtpCatcher, type SmtpCatcher } from '../support/smtpCatcher';
import { CookieBrowser, oidcCallbackUrl } from '../support/ssoFlows';

/** Creates a user with a password (invite → accept), answers its id. */
async function userWithPassword(hub: TestHub, smtp: SmtpCatcher, tenant: CreatedTenant, email: string, role: string, password: string): Promise<string> {
  const created = await hub.request('POST', '/v1/users', { key: tenant.key, body: { email, name: 'Pat Password', role } });
  expect(created.status).toBe(201);
  expect((await hub.request('POST', `/v1/users/${created.body.user.id}/invitation`, { key: tenant.key })).status).toBe(202);
  const mail = await smtp.waitFor(email, 'invited');
  expect((await hub.request('POST', '/v1/auth/invitations/accept', { body: { token: linkToken(mail.text), password } })).status).toBe(200);
  return created.body.user.id;
}

describe('enterprise identity: domains, settings, OIDC sign-in against oidc-provider', () => {
  const dns = useStarted(startDnsStub, 'the DNS stub');
  const smtp = useStarted(startSmtpCatcher, 'the SMTP catcher');
  const { hub, tenant, owner } = useHub({ env: () => ({ IDENTITY_DNS_SERVER: dns.address, SMTP_URL: smtp.url }), tenants: [{}] });
  const idp = useStarted(
    () =>
      startOidcPeer({
        clients: [{ client_id: 'hub-console', client_secret: 'peer-client-secret-value', redirect_uris: [`${hub.url}/v1/auth/sso/oidc/callback`] }],
      }),
    'the OIDC provider',
  );
  let domain = '';
  let connectionId = '';
  const usersOf = async () => Number((await owner('users').where({ tenant_id: tenant.id }).count<{ count: string }[]>('* as count'))[0]!.count);
  const startPath = () => `/v1/auth/sso/start?tenant=${tenant.slug}&connection=${connectionId}`;

  it('claims a domain, refuses verification without the TXT record, verifies it through the configured DNS server', async () => {
    domain = `sso-${tenant.slug}.example`;
    const created = await hub.request('POST', '/v1/identity/domains', { key: tenant.key, body: { domain: domain.toUpperCase() } });
    expect(created.status).toBe(201);
    expect(created.body.domain).toMatchObject({ domain, status: 'pending', verificationRecord: { name: `_hub-verification.${domain}`, type: 'TXT' } });
    const record = created.body.domain.verificationRecord;
    const early = await hub.request('POST', `/v1/identity/domains/${created.body.domain.id}/verify`, { key: tenant.key });
    expect(early.status).toBe(200);
    expect(early.body.domain.status).toBe('pending');
    expect(early.body.domain.lastCheckError).toContain('no TXT record');
    dns.setTxt(record.name, ['v=spf1 -all', record.value]);
    const verified = await hub.request('POST', `/v1/identity/domains/${created.body.domain.id}/verify`, { key: tenant.key });
    expect(verified.body.domain).toMatchObject({ status: 'verified', verifiedBy: 'dns' });
    expect(dns.asked).toContain(record.name);
    // The platform admin's override verifies without DNS; the audit log has both.
    const other = `override-${tenant.slug}.example`;
    const override = await hub.request('PUT', `/v1/admin/tenants/${tenant.id}/identity-domains/${other}`, { admin: true });
    expect(override.status).toBe(200);
    expect(override.body.domain).toMatchObject({ domain: other, status: 'verified', verifiedBy: 'platform_admin' });
    const audit = await owner('audit_log').where({ tenant_id: tenant.id, action: 'identity.domain_verified' }).select('details');
    expect(audit.map((row: { details: { method: string } }) => row.details.method).sort()).toEqual(['dns', 'platform_admin']);
  });

  it('keeps settings and the group mapping, refusing SSO required without a break-glass admin', async () => {
    const refused = await hub.request('PUT', '/v1/identity/settings', {
      key: tenant.key,
      body: { ssoRequired: true, jitProvisioning: true, defaultRole: 'member', breakGlassUserId: null, groupRoles: [] },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('BREAK_GLASS_REQUIRED');
    const saved = await hub.request('PUT', '/v1/identity/settings', {
      key: tenant.key,
      body: {
        ssoRequired: false,
        jitProvisioning: true,
        defaultRole: 'member',
        breakGlassUserId: null,
        groupRoles: [
          { group: 'Hub-Admins', role: 'admin' },
          { group: 'hub-viewers', role: 'viewer' },
        ],
      },
    });
    expect(saved.status).toBe(200);
    expect((await hub.request('GET', '/v1/identity/settings', { key: tenant.key })).body).toMatchObject({
      jitProvisioning: true,
      groupRoles: expect.arrayContaining([{ group: 'Hub-Admins', role: 'admin' }]),
    });
  });

  it('adds an OIDC connection with its secret sealed and never echoed; refuses a URL the guard refuses', async () => {
    const refused = await hub.request('POST', '/v1/identity/connections', {
      key: tenant.key,
      body: { type: 'oidc', name: 'Bad', issuer: 'ftp://127.0.0.1/', clientId: 'x' },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('URL_NOT_ALLOWED');
    const created = await hub.request('POST', '/v1/identity/connections', {
      key: tenant.key,
      body: {
        type: 'oidc',
        name: 'Corporate IdP',
        issuer: idp.issuer,
        clientId: 'hub-console',
        clientSecret: 'peer-client-secret-value',
        groupsClaim: 'groups',
        scopes: ['openid', 'email', 'profile', 'groups'],
      },
    });
    expect(created.status).toBe(201);
    connectionId = created.body.connection.id;
    expect(created.body.connection.oidc).toMatchObject({ issuer: idp.issuer, hasClientSecret: true });
    expect(created.body.connection.setup.redirectUri).toBe(`${hub.url}/v1/auth/sso/oidc/callback`);
    const listed = await hub.request('GET', '/v1/identity/connections', { key: tenant.key });
    expect(listed.text).not.toContain('peer-client-secret-value');
    expect(created.text).not.toContain('peer-client-secret-value');
    const row = await owner('identity_connections').where({ id: connectionId }).first();
    expect(JSON.stringify(row)).not.toContain('peer-client-secret-value');
    // Home-realm discovery finds the tenant and the connection from an e-mail.
    const discovered = await hub.request('POST', '/v1/auth/sso/discovery', { body: { email: `someone@${domain}` } });
    expect(discovered.status).toBe(200);
    expect(discovered.body).toMatchObject({ tenant: tenant.slug, connections: [{ id: connectionId, type: 'oidc' }] });
    expect((await hub.request('POST', '/v1/auth/sso/discovery', { body: { email: 'someone@unknown-domain.example' } })).body.error.code).toBe(
      'SSO_NOT_CONFIGURED',
    );
  });

  it('JIT: an unknown person of the domain signs in and gets the role their group maps to; the role follows the group at the next sign-in', async () => {
    const email = `ada@${domain}`;
    await idp.setAccount('ada', { email, email_verified: true, name: 'Ada Lovelace', groups: ['hub-viewers'] });
    const browser = new CookieBrowser();
    const callback = await oidcCallbackUrl(hub, browser, startPath(), 'ada');
    const landed = await browser.send(callback);
    expect(landed.status).toBe(302);
    expect(landed.headers.get('location')).toBe('/console/');
    const session = await browser.send(`${hub.url}/v1/auth/session`);
    expect(session.status).toBe(200);
    const body = (await session.json()) as { user: { email: string; role: string }; session: { method: string } };
    expect(body.user).toMatchObject({ email, role: 'viewer' });
    expect(body.session.method).toBe('oidc');

    await idp.setAccount('ada', { email, email_verified: true, name: 'Ada Lovelace', groups: ['HUB-ADMINS'] });
    const again = new CookieBrowser();
    expect((await again.send(await oidcCallbackUrl(hub, again, startPath(), 'ada'))).status).toBe(302);
    const user = await owner('users').where({ tenant_id: tenant.id, email }).first();
    expect(user.role).toBe('admin');
    const changes = await owner('audit_log').where({ tenant_id: tenant.id, action: 'user.updated' }).select('details');
    expect(
      changes.some((row: { details: { via?: string; after: { role: string } } }) => row.details.via === 'sso_sign_in' && row.details.after.role === 'admin'),
    ).toBe(true);
  });

  describe('refused answers: a clear page, nothing created', () => {
    const refusedWith = async (response: Response, code: string) => {
      const text = await response.text();
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.headers.get('content-type')).toContain('text/html');
      expect(text).toContain('Sign-in refused');
      expect(text).toContain(code);
      expect(response.headers.getSetCookie().some((line) => line.startsWith('hub_session='))).toBe(false);
    };
    const newPerson = async (login: string, claims: Record<string, unknown> = {}) => {
      await idp.setAccount(login, { email: `${login}@${domain}`, email_verified: true, name: login, groups: [], ...claims });
    };

    it.each([
      ['bad-nonce', 'NONCE_MISMATCH'],
      ['expired', 'ID_TOKEN_EXPIRED'],
      ['wrong-signature', 'ID_TOKEN_SIGNATURE'],
      ['wrong-audience', 'AUDIENCE_MISMATCH'],
      ['wrong-issuer', 'ISSUER_MISMATCH'],
      ['email-unverified', 'EMAIL_NOT_VERIFIED'],
    ] as const)('an ID token with %s → %s', async (fault, code) => {
      const login = `victim-${fault}`;
      await newPerson(login);
      const before = await usersOf();
      const browser = new CookieBrowser();
      const callback = await oidcCallbackUrl(hub, browser, startPath(), login);
      await idp.injectFault(fault);
      await refusedWith(await browser.send(callback), code);
      expect(await usersOf()).toBe(before);
      const audit = await owner('audit_log').where({ tenant_id: tenant.id, action: 'user.sso_sign_in_refused' }).select('details');
      expect(audit.some((row: { details: { code: string } }) => row.details.code === code)).toBe(true);
    });

    it('a tampered or replayed state, and a callback in a browser that did not start the sign-in', async () => {
      await newPerson('state-person');
      const before = await usersOf();
      const browser = new CookieBrowser();
      const callback = new URL(await oidcCallbackUrl(hub, browser, startPath(), 'state-person'));
      const tampered = new URL(callback);
      tampered.searchParams.set('state', `${tenant.id}.${'A'.repeat(43)}`);
      await refusedWith(await browser.send(tampered.toString()), 'STATE_INVALID');
      const garbage = new URL(callback);
      garbage.searchParams.set('state', 'not-a-state');
      await refusedWith(await browser.send(garbage.toString()), 'STATE_INVALID');
      // Another browser (no state cookie) brings the genuine answer: login CSRF refused, and the state is spent.
      await refusedWith(await new CookieBrowser().send(callback.toString()), 'STATE_MISMATCH');
      await refusedWith(await browser.send(callback.toString()), 'STATE_INVALID');
      expect(await usersOf()).toBe(before);
    });

    it('a person outside the verified domains, and an unknown person with JIT off', async () => {
      await idp.setAccount('outsider', { email: 'outsider@elsewhere.example', email_verified: true, name: 'Out', groups: [] });
      const before = await usersOf();
      const browser = new CookieBrowser();
      await refusedWith(await browser.send(await oidcCallbackUrl(hub, browser, startPath(), 'outsider')), 'DOMAIN_NOT_VERIFIED');
      const settings = (await hub.request('GET', '/v1/identity/settings', { key: tenant.key })).body;
      await hub.request('PUT', '/v1/identity/settings', { key: tenant.key, body: { ...settings, jitProvisioning: false } });
      await newPerson('nobody');
      const second = new CookieBrowser();
      await refusedWith(await second.send(await oidcCallbackUrl(hub, second, startPath(), 'nobody')), 'NO_ACCOUNT');
      expect(await usersOf()).toBe(before);
      await hub.request('PUT', '/v1/identity/settings', { key: tenant.key, body: settings });
    });
  });

  it('SSO required: password sign-in refused for the domain, except for the break-glass admin', async () => {
    const password = 'a long enough passphrase for tests';
    const memberEmail = `pat@${domain}`;
    await userWithPassword(hub, smtp, tenant, memberEmail, 'member', password);
    const adminId = await userWithPassword(hub, smtp, tenant, `glass@${domain}`, 'admin', password);
    const settings = (await hub.request('GET', '/v1/identity/settings', { key: tenant.key })).body;
    expect(
      (await hub.request('PUT', '/v1/identity/settings', { key: tenant.key, body: { ...settings, ssoRequired: true, breakGlassUserId: adminId } })).status,
    ).toBe(200);
    const refused = await hub.request('POST', '/v1/auth/sign-in', { body: { tenant: tenant.slug, email: memberEmail, password } });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('SSO_REQUIRED');
    const wrongPassword = await hub.request('POST', '/v1/auth/sign-in', { body: { tenant: tenant.slug, email: memberEmail, password: 'wrong wrong wrong' } });
    expect(wrongPassword.status).toBe(401);
    const glass = await hub.request('POST', '/v1/auth/sign-in', { body: { tenant: tenant.slug, email: `glass@${domain}`, password } });
    expect(glass.status).toBe(201);
    await hub.request('PUT', '/v1/identity/settings', { key: tenant.key, body: { ...settings, ssoRequired: false, breakGlassUserId: adminId } });
  });

  it('a test sign-in creates nothing and keeps the claims for the console', async () => {
    await idp.setAccount('tester', { email: `tester@${domain}`, email_verified: true, name: 'Tess Tester', groups: ['hub-viewers'] });
    const browser = new CookieBrowser();
    const started = await hub.request('POST', `/v1/identity/connections/${connectionId}/tests`, { key: tenant.key });
    expect(started.status).toBe(201);
    expect(started.body.test.status).toBe('pending');
    // The API key's answer set the state cookie; a browser would keep it.
    for (const line of started.headers.getSetCookie()) {
      const [pair] = line.split(';');
      browser.cookies.set(pair!.split('=')[0]!, pair!.slice(pair!.indexOf('=') + 1));
    }
    const before = await usersOf();
    const atIdp = await browser.follow(started.body.url);
    const action = /<form[^>]*action="([^"]+)"/.exec(await atIdp.response.text())![1]!;
    const done = await browser.follow(new URL(action, atIdp.url).toString(), () => false, { form: { prompt: 'login', login: 'tester', password: 'x' } });
    expect(done.response.status).toBe(200);
    expect(await done.response.text()).toContain('Test sign-in succeeded');
    const test = await hub.request('GET', `/v1/identity/connections/${connectionId}/tests/${started.body.test.id}`, { key: tenant.key });
    expect(test.body.test).toMatchObject({ status: 'succeeded', identity: { email: `tester@${domain}`, groups: ['hub-viewers'] } });
    expect(test.body.test.claims.email).toBe(`tester@${domain}`);
    expect(await usersOf()).toBe(before);
  });
});
