import { startDnsStub } from '../peers/dns/dnsStub';
import { startOidcPeer } from '../peers/oidc/oidcPeer';
import { seriousAxeViolations, signInThroughPage, useBrowser, webStorage } from '../support/browser';
import { inviteAndAccept, type ConsoleUser } from '../support/consoleUsers';
import { useHub, useStarted } from '../support/harness';
import { startSmtpCatcher } from '../support/smtpCatcher';

const CLIENT_SECRET = 'console-peer-client-secret';

/** The console's SSO: "Sign in with SSO" through a real OpenID Provider, and the Identity (SSO) screen. */
describe('console: identity (SSO)', () => {
  const dns = useStarted(startDnsStub, 'the DNS stub');
  const smtp = useStarted(startSmtpCatcher, 'the SMTP catcher');
  const { hub, tenant, owner } = useHub({ env: () => ({ IDENTITY_DNS_SERVER: dns.address, SMTP_URL: smtp.url }), tenants: [{}] });
  const idp = useStarted(
    () => startOidcPeer({ clients: [{ client_id: 'hub-console', client_secret: CLIENT_SECRET, redirect_uris: [`${hub.url}/v1/auth/sso/oidc/callback`] }] }),
    'the OIDC provider',
  );
  const browser = useBrowser();
  let admin: ConsoleUser;

  beforeAll(async () => {
    admin = await inviteAndAccept(hub, smtp, tenant, 'admin');
  });

  it('signs an unknown person of a verified domain in through "Sign in with SSO", JIT-creating the user with the mapped role', async () => {
    const domain = `jit-${tenant.slug}.example`;
    // The tenant's set-up, through the API: a domain the platform admin verified, the connection, JIT on.
    expect((await hub.request('PUT', `/v1/admin/tenants/${tenant.id}/identity-domains/${domain}`, { admin: true })).status).toBe(200);
    const connection = await hub.request('POST', '/v1/identity/connections', {
      key: tenant.key,
      body: {
        type: 'oidc',
        name: 'Corporate IdP',
        issuer: idp.issuer,
        clientId: 'hub-console',
        clientSecret: CLIENT_SECRET,
        groupsClaim: 'groups',
        scopes: ['openid', 'email', 'profile', 'groups'],
      },
    });
    expect(connection.status).toBe(201);
    const settings = await hub.request('PUT', '/v1/identity/settings', {
      key: tenant.key,
      body: {
        ssoRequired: false,
        jitProvisioning: true,
        defaultRole: 'viewer',
        breakGlassUserId: null,
        groupRoles: [{ group: 'hub-managers', role: 'manager' }],
      },
    });
    expect(settings.status).toBe(200);
    const email = `grace@${domain}`;
    await idp.setAccount('grace', { email, email_verified: true, name: 'Grace Hopper', groups: ['hub-managers'] });
    expect(await owner('users').where({ tenant_id: tenant.id, email }).first()).toBeUndefined();

    const page = await browser.newPage(hub);
    await page.goto('/console/sign-in');
    // An address no organisation verified: a clear message, and the password form stays.
    await page.getByLabel('E-mail').fill('someone@unknown-domain.example');
    await page.getByRole('button', { name: 'Continue with single sign-on (SSO)' }).click();
    await page.getByRole('alert').filter({ hasText: 'No single sign-on is set up for this e-mail address' }).waitFor();
    await page.getByLabel(/^Password/).waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);

    await page.getByLabel('E-mail').fill(email);
    await page.getByRole('button', { name: 'Continue with single sign-on (SSO)' }).click();
    // The provider's own login page (oidc-provider's development interaction), on its origin.
    await page.waitForURL((url) => url.origin === new URL(idp.issuer).origin);
    await page.locator('input[name="login"]').fill('grace');
    await page.locator('input[name="password"]').fill('any password');
    await page.locator('button[type="submit"]').first().click();
    await page.getByRole('navigation', { name: 'Console' }).waitFor();
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/console/');
    const user = await owner('users').where({ tenant_id: tenant.id, email }).first();
    expect(user).toMatchObject({ role: 'manager', status: 'active' });
    const session = (await page.evaluate(async () => (await fetch('/v1/auth/session', { credentials: 'same-origin' })).json())) as {
      user: { email: string; role: string };
      session: { method: string };
    };
    expect(session.user).toMatchObject({ email, role: 'manager' });
    expect(session.session.method).toBe('oidc');
    expect(JSON.stringify(await webStorage(page))).not.toContain(CLIENT_SECRET);
  });

  it('adds a domain and shows its TXT record, verifies it through DNS, adds an OIDC connection and shows what to copy into the IdP', async () => {
    const page = await browser.newPage(hub);
    await signInThroughPage(page, tenant, admin, '/identity');
    await page.getByRole('heading', { name: 'Identity (SSO)', level: 1 }).waitFor();
    await page.getByRole('heading', { name: 'Verified domains', level: 2 }).waitFor();
    await page.getByRole('button', { name: 'Add domain' }).waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);

    const domain = `screen-${tenant.slug}.example`;
    await page.getByRole('textbox', { name: /^E-mail domain/ }).fill(domain);
    await page.getByRole('button', { name: 'Add domain' }).click();
    const recordName = page.getByRole('textbox', { name: 'TXT record name' });
    await recordName.waitFor();
    expect(await recordName.inputValue()).toBe(`_hub-verification.${domain}`);
    const recordValue = await page.getByRole('textbox', { name: 'TXT record value' }).inputValue();
    const api = (await hub.request('GET', '/v1/identity/domains', { key: tenant.key })).body.data.find((row: { domain: string }) => row.domain === domain);
    expect(recordValue).toBe(api.verificationRecord.value);
    await page.getByRole('button', { name: 'Copy the TXT record value' }).waitFor();
    expect(await page.getByTestId(`domain-status-${domain}`).textContent()).toBe('Pending');
    expect(await seriousAxeViolations(page)).toEqual([]);

    // Verify before the record exists: still pending, with the reason; then publish it and verify.
    await page.getByRole('button', { name: `Verify ${domain}` }).click();
    await page
      .getByText(/no TXT record/)
      .first()
      .waitFor();
    dns.setTxt(`_hub-verification.${domain}`, [recordValue]);
    await page.getByRole('button', { name: `Verify ${domain}` }).click();
    await page.getByTestId(`domain-status-${domain}`).filter({ hasText: 'Verified' }).waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);

    // A connection the SSRF guard refuses: the API's message inline at the field.
    await page.getByRole('button', { name: 'Add connection' }).click();
    const form = page.getByRole('form', { name: 'Add an identity connection' });
    await form.getByLabel(/^Name/).fill('Screen IdP');
    await form.getByLabel(/^Issuer/).fill('ftp://127.0.0.1/');
    await form.getByLabel(/^Client ID/).fill('hub-console');
    await form.getByRole('button', { name: 'Add connection' }).click();
    await form
      .getByText(/body\.issuer|not allowed|scheme/i)
      .first()
      .waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);

    await form.getByLabel(/^Issuer/).fill(idp.issuer);
    await form.getByLabel(/^Client secret/).fill(CLIENT_SECRET);
    await form.getByRole('button', { name: 'Add connection' }).click();
    const card = page.getByRole('region', { name: 'Connection Screen IdP' });
    const redirect = card.getByRole('textbox', { name: 'Redirect URI' });
    await redirect.waitFor();
    expect(await redirect.inputValue()).toBe(`${hub.url}/v1/auth/sso/oidc/callback`);
    expect(await card.getByRole('textbox', { name: 'Tenant login URL' }).inputValue()).toContain(`/v1/auth/sso/start?tenant=${tenant.slug}&connection=`);
    await card.getByText('client secret stored (never shown)').waitFor();
    expect(await page.content()).not.toContain(CLIENT_SECRET);
    expect(await seriousAxeViolations(page)).toEqual([]);

    // Test connection: the test sign-in runs in a popup; the screen polls the test and shows the claims received.
    await idp.setAccount('tester', { email: `tester@${domain}`, email_verified: true, name: 'Terry Tester', groups: ['qa'] });
    const [popup] = await Promise.all([page.waitForEvent('popup'), card.getByRole('button', { name: 'Test connection' }).click()]);
    await page.getByText('Waiting for the sign-in in the popup window').waitFor();
    await popup.waitForURL((url) => url.origin === new URL(idp.issuer).origin);
    await popup.locator('input[name="login"]').fill('tester');
    await popup.locator('input[name="password"]').fill('any password');
    await popup.locator('button[type="submit"]').first().click();
    const claims = card.getByTestId('connection-test-claims');
    await claims.waitFor();
    expect(JSON.parse((await claims.textContent())!)).toMatchObject({ email: `tester@${domain}`, email_verified: true });
    await card.getByText(`Signed in as tester@${domain}`).waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    // A test sign-in creates nobody.
    expect(
      await owner('users')
        .where({ tenant_id: tenant.id, email: `tester@${domain}` })
        .first(),
    ).toBeUndefined();
  });
});
