import fs from 'node:fs';
import http, { type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { Secret, TOTP } from 'otpauth';
import { type Page } from 'playwright-core';
import { eventually } from '../support/eventually';
import { useHub, useStarted } from '../support/harness';
import { seriousAxeViolations, signInThroughPage, useBrowser, webStorage } from '../support/browser';
import { inviteAndAccept } from '../support/consoleUsers';
import { type CreatedTenant, type TestHub } from '../support/hub';
import { startSmtpCatcher, type SmtpCatcher } from '../support/smtpCatcher';

const totpCode = (secret: string) => new TOTP({ secret: Secret.fromBase32(secret.replace(/\s/g, '')) }).generate();

/** The console path (and fragment) of the one-time link in an e-mail, opened on the test's hub. */
function linkPath(text: string): string {
  const match = /(https?:\/\/\S+#token=[A-Za-z0-9._-]+)/.exec(text);
  if (!match) throw new Error(`no link in the e-mail: ${text}`);
  const url = new URL(match[1]!);
  return `${url.pathname}${url.hash}`;
}

/** Creates an invited user through the API and answers its e-mail and the invite link the hub e-mailed. */
async function invite(hub: TestHub, smtp: SmtpCatcher, tenant: CreatedTenant): Promise<{ email: string; link: string }> {
  const email = `browser-${Math.random().toString(36).slice(2, 10)}@console.test`;
  const created = await hub.request('POST', '/v1/users', { key: tenant.key, body: { email, name: 'Bea Browser', role: 'manager' } });
  expect(created.status).toBe(201);
  expect((await hub.request('POST', `/v1/users/${created.body.user.id}/invitation`, { key: tenant.key })).status).toBe(202);
  return { email, link: linkPath((await smtp.waitFor(email, 'invited')).text) };
}

async function expectNoSeriousAxe(page: Page): Promise<void> {
  expect(await seriousAxeViolations(page)).toEqual([]);
}

/** Signs in through the page with e-mail, password and, when asked, a second factor; waits for the console. */
async function signInWithSecondFactor(page: Page, tenant: CreatedTenant, email: string, password: string, factor: { totp: string } | { recovery: string }) {
  await page.goto(`/console/sign-in?tenant=${tenant.slug}`);
  await page.getByLabel('E-mail').fill(email);
  await page.getByLabel(/^Password/).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  if ('totp' in factor) {
    await page.getByLabel(/^Code from your authenticator app/).fill(factor.totp);
  } else {
    await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
    await page.getByLabel(/^Recovery code/).fill(factor.recovery);
  }
  await page.getByRole('button', { name: 'Verify' }).click();
}

async function signOutFromAccountPage(page: Page): Promise<void> {
  await page.goto('/console/account');
  await page.getByRole('heading', { name: 'Account and security', level: 1 }).waitFor();
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  // Signed out for real: the console does not come back on a reload.
  await page.goto('/console/account');
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
}

describe('console sign-in flows: invite, TOTP enrolment, recovery codes, resets, idle timeout, CSRF', () => {
  const smtp = useStarted(startSmtpCatcher, 'the SMTP catcher');
  const { hub, tenant, owner } = useHub({ env: () => ({ SMTP_URL: smtp.url }), tenants: [{}] });
  // A second API on the same database with a 2 s idle timeout (like consoleSessions.test.ts).
  const { hub: strict } = useHub({ worker: false, env: () => ({ SMTP_URL: smtp.url, SESSION_IDLE_TIMEOUT: '2s' }) });
  const browser = useBrowser();

  it('invite link → password → sign in → enrol TOTP → recovery codes once → sign in with a code, then with a recovery code once', async () => {
    const { email, link } = await invite(hub, smtp, tenant);
    const page = await browser.newPage(hub);
    await page.goto(link);
    await page.getByRole('heading', { name: 'Accept your invite', level: 1 }).waitFor();
    // The token leaves the address bar once read.
    expect(page.url()).not.toContain('#token=');
    await expectNoSeriousAxe(page);

    await page.getByLabel(/^New password/).fill('too short');
    await page.getByLabel(/^Repeat the password/).fill('not the same');
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.getByText('Use at least 12 characters').waitFor();
    await page.getByText('The two passwords differ').waitFor();
    await expectNoSeriousAxe(page);
    const password = `a long browser passphrase ${Date.now()}`;
    await page.getByLabel(/^New password/).fill(password);
    await page.getByLabel(/^Repeat the password/).fill(password);
    await page.getByRole('button', { name: 'Set password' }).click();

    // The sign-in page, with the tenant and e-mail the accept answer named.
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByText('Your password is set').waitFor();
    expect(await page.getByLabel('Organisation').inputValue()).toBe(tenant.slug);
    expect(await page.getByLabel('E-mail').inputValue()).toBe(email);
    await page.getByLabel(/^Password/).fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('navigation', { name: 'Console' }).waitFor();

    // The account page: MFA off → set it up.
    await page.goto('/console/account');
    await page.getByRole('heading', { name: 'Account and security', level: 1 }).waitFor();
    expect(await page.getByTestId('account-role').textContent()).toBe('manager');
    expect(await page.getByTestId('mfa-status').textContent()).toBe('Off');
    await page.getByRole('table', { name: 'Your signed-in sessions' }).getByText('This session').waitFor();
    await expectNoSeriousAxe(page);
    await page.getByRole('link', { name: 'Set up two-factor authentication' }).click();
    await page.getByRole('heading', { name: 'Set up two-factor authentication', level: 1 }).waitFor();
    await expectNoSeriousAxe(page);
    await page.getByRole('button', { name: 'Start setup' }).click();
    const qr = page.getByTestId('totp-qr');
    await qr.waitFor();
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml/);
    const secret = (await page.getByTestId('totp-secret').textContent())!.replace(/\s/g, '');
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    await expectNoSeriousAxe(page);

    await page.getByLabel(/^2\. Code from your authenticator app/).fill('12345');
    await page.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
    await page.getByText('Enter the 6 digits your app shows').waitFor();
    await page.getByLabel(/^2\. Code from your authenticator app/).fill(totpCode(secret));
    await page.getByRole('button', { name: 'Turn on two-factor authentication' }).click();

    await page.getByTestId('recovery-codes').waitFor();
    const codes = await page.getByTestId('recovery-code').allTextContents();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download as .txt' }).click()]);
    expect(download.suggestedFilename()).toBe('integration-hub-recovery-codes.txt');
    const saved = fs.readFileSync((await download.path())!, 'utf8');
    for (const code of codes) expect(saved).toContain(code);
    await expectNoSeriousAxe(page);
    // Neither the TOTP secret nor a recovery code is kept in web storage.
    const stored = Object.values(await webStorage(page)).join('\n');
    expect(stored).not.toContain(secret);
    expect(stored).not.toContain(codes[0]);
    const proceed = page.getByRole('button', { name: 'Continue' });
    expect(await proceed.isDisabled()).toBe(true);
    await page.getByLabel('I have saved these codes').check();
    await proceed.click();
    await page.getByRole('heading', { name: 'Account and security', level: 1 }).waitFor();
    await eventually(async () => ((await page.getByTestId('mfa-status').textContent()) === 'On' ? true : undefined), 10_000, 'MFA shown as on');
    expect(await page.getByTestId('recovery-codes-left').textContent()).toBe('10');
    await expectNoSeriousAxe(page);

    // Sign out; sign in again with e-mail + password + TOTP code.
    await signOutFromAccountPage(page);
    await signInWithSecondFactor(page, tenant, email, password, { totp: totpCode(secret) });
    await page.getByRole('navigation', { name: 'Console' }).waitFor();

    // A recovery code signs in once.
    await signOutFromAccountPage(page);
    await signInWithSecondFactor(page, tenant, email, password, { recovery: codes[4]! });
    await page.getByRole('navigation', { name: 'Console' }).waitFor();
    await signOutFromAccountPage(page);
    await signInWithSecondFactor(page, tenant, email, password, { recovery: codes[4]! });
    await page.getByRole('alert').filter({ hasText: 'e-mail or password is wrong' }).waitFor();
    const user = await owner('users').where({ tenant_id: tenant.id, email }).first();
    const reasons = await owner('audit_log').where({ tenant_id: tenant.id, action: 'user.sign_in_failed', target_id: user.id }).pluck('details');
    expect(reasons.map((details) => details.reason)).toEqual(['wrong_second_factor']);
  });

  it('recovery codes are regenerated and MFA turned off from the account page, each confirmed with a code or the password', async () => {
    const user = await inviteAndAccept(hub, smtp, tenant, 'member');
    const page = await browser.newPage(hub);
    await signInThroughPage(page, tenant, user);
    await page.goto('/console/mfa/enrol?next=/account');
    await page.getByRole('button', { name: 'Start setup' }).click();
    const secret = (await page.getByTestId('totp-secret').textContent())!.replace(/\s/g, '');
    await page.getByLabel(/^2\. Code from your authenticator app/).fill(totpCode(secret));
    await page.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
    await page.getByTestId('recovery-codes').waitFor();
    const first = await page.getByTestId('recovery-code').allTextContents();
    await page.getByLabel('I have saved these codes').check();
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.getByRole('button', { name: 'New recovery codes' }).click();
    const dialog = page.getByRole('dialog', { name: 'New recovery codes' });
    await dialog.getByLabel(/^Current password/).fill('not my password at all');
    await dialog.getByRole('button', { name: 'Make new codes' }).click();
    await dialog.getByText('The password or code is wrong').waitFor();
    await expectNoSeriousAxe(page);
    await dialog.getByLabel(/^Current password/).fill(user.password);
    await dialog.getByRole('button', { name: 'Make new codes' }).click();
    await page.getByTestId('recovery-codes').waitFor();
    const second = await page.getByTestId('recovery-code').allTextContents();
    expect(second).toHaveLength(10);
    expect(second).not.toContain(first[0]);
    await page.getByLabel('I have saved these codes').check();
    await page.getByRole('button', { name: 'Done' }).click();

    await page.getByRole('button', { name: 'Turn off' }).click();
    const off = page.getByRole('dialog', { name: 'Turn off two-factor authentication' });
    await off.getByText('Authenticator code').click();
    await off.getByLabel(/^Code from your authenticator app/).fill(totpCode(secret));
    await off.getByRole('button', { name: 'Turn off' }).click();
    await eventually(async () => ((await page.getByTestId('mfa-status').textContent()) === 'Off' ? true : undefined), 10_000, 'MFA shown as off');
    expect(await owner('user_mfa').where({ user_id: user.id })).toHaveLength(0);
    const actions = await owner('audit_log').where({ tenant_id: tenant.id, target_id: user.id }).pluck('action');
    expect(actions).toEqual(expect.arrayContaining(['user.mfa_enabled', 'user.mfa_recovery_codes_regenerated', 'user.mfa_disabled']));
  });

  it('a tenant that requires MFA sends a user without it to the enrolment and nowhere else until it is done', async () => {
    const other = await hub.createTenant();
    expect((await hub.request('PATCH', '/v1/tenant', { key: other.key, body: { settings: { security: { mfaRequired: true } } } })).status).toBe(200);
    const user = await inviteAndAccept(hub, smtp, other, 'viewer');
    const page = await browser.newPage(hub);
    await page.goto(`/console/sign-in?tenant=${other.slug}`);
    await page.getByLabel('E-mail').fill(user.email);
    await page.getByLabel(/^Password/).fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Set up two-factor authentication', level: 1 }).waitFor();
    await page.getByText('Your organisation requires two-factor authentication').waitFor();
    expect(await page.getByRole('link', { name: 'Not now' }).count()).toBe(0);
    await page.goto('/console/users');
    await page.getByRole('heading', { name: 'Set up two-factor authentication', level: 1 }).waitFor();
    await expectNoSeriousAxe(page);

    await page.getByRole('button', { name: 'Start setup' }).click();
    const secret = (await page.getByTestId('totp-secret').textContent())!.replace(/\s/g, '');
    await page.getByLabel(/^2\. Code from your authenticator app/).fill(totpCode(secret));
    await page.getByRole('button', { name: 'Turn on two-factor authentication' }).click();
    await page.getByTestId('recovery-codes').waitFor();
    await page.getByLabel('I have saved these codes').check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('navigation', { name: 'Console' }).waitFor();

    await page.goto('/console/account');
    await eventually(async () => ((await page.getByTestId('mfa-status').textContent()) === 'On' ? true : undefined), 10_000, 'MFA shown as on');
    await page.getByText('Your organisation requires two-factor authentication, so it cannot be turned off').waitFor();
    expect(await page.getByRole('button', { name: 'Turn off' }).isDisabled()).toBe(true);
    await expectNoSeriousAxe(page);
  });

  it('forgot password → "check your e-mail" → reset link → new password → sign in; the used link explains what to do', async () => {
    const user = await inviteAndAccept(hub, smtp, tenant, 'viewer');
    const page = await browser.newPage(hub);
    await page.goto(`/console/sign-in?tenant=${tenant.slug}`);
    await page.getByLabel('E-mail').fill(user.email);
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByRole('heading', { name: 'Reset your password', level: 1 }).waitFor();
    expect(await page.getByLabel('Organisation').inputValue()).toBe(tenant.slug);
    expect(await page.getByLabel('E-mail').inputValue()).toBe(user.email);
    await expectNoSeriousAxe(page);
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await page.getByText('Check your e-mail').waitFor();
    await expectNoSeriousAxe(page);

    const link = linkPath((await smtp.waitFor(user.email, 'Reset')).text);
    await page.goto(link);
    await page.getByRole('heading', { name: 'Choose a new password', level: 1 }).waitFor();
    await expectNoSeriousAxe(page);
    const password = `the reset passphrase ${Date.now()}`;
    await page.getByLabel(/^New password/).fill(password);
    await page.getByLabel(/^Repeat the password/).fill(password);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Your password is changed').waitFor();
    await signInThroughPage(page, tenant, { email: user.email, password });

    const reused = await browser.newPage(hub);
    await reused.goto(link);
    await reused.getByRole('button', { name: 'Change password' }).waitFor();
    await reused.getByLabel(/^New password/).fill(password);
    await reused.getByLabel(/^Repeat the password/).fill(password);
    await reused.getByRole('button', { name: 'Change password' }).click();
    await reused.getByRole('alert').filter({ hasText: 'This link no longer works' }).waitFor();
    await reused.getByRole('link', { name: 'Ask for a new reset link' }).waitFor();
    await expectNoSeriousAxe(reused);
  });

  it('a used invite link explains itself and points to the next step', async () => {
    const user = await inviteAndAccept(hub, smtp, tenant, 'viewer');
    const page = await browser.newPage(hub);
    await page.goto(linkPath((await smtp.waitFor(user.email, 'invited')).text));
    await page.getByLabel(/^New password/).fill('another long enough password');
    await page.getByLabel(/^Repeat the password/).fill('another long enough password');
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.getByRole('alert').filter({ hasText: 'Ask an administrator of your organisation to send the invite again' }).waitFor();
    await expectNoSeriousAxe(page);
    await page.goto('/console/invite');
    await page.getByRole('alert').filter({ hasText: 'This link no longer works' }).waitFor();
  });

  it('a session past its idle timeout is sent to sign-in, saying the session ended', async () => {
    const user = await inviteAndAccept(hub, smtp, tenant, 'member');
    const page = await browser.newPage(strict);
    await signInThroughPage(page, tenant, user);
    const [session] = await owner('user_sessions').where({ user_id: user.id }).orderBy('created_at', 'desc').limit(1);
    await eventually(
      async () => {
        const [row] = await owner('user_sessions').where({ id: session.id }).select(owner.raw(`now() - last_seen_at > interval '2.2 seconds' as idle`));
        return row.idle ? true : undefined;
      },
      15_000,
      'the session to be idle for longer than its timeout',
    );
    await page.getByTestId('session-role').click();
    await page.getByRole('menuitem', { name: 'Account and security' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByRole('status').filter({ hasText: 'Your session ended' }).waitFor();
    expect(new URL(page.url()).searchParams.get('next')).toBe('/account');
    await expectNoSeriousAxe(page);
  });

  describe('a cross-site or cross-origin form POST without the CSRF token', () => {
    let attacker: Server;
    let attackerPort = 0;
    let hubPort = 0;
    const victimEmail = () => `csrf-victim-made-${attackerPort}@console.test`;
    beforeAll(async () => {
      hubPort = Number(new URL(hub.url).port);
      // An attacker's page with an auto-submitting form: text/plain smuggles a JSON body to POST /v1/users.
      attacker = http.createServer((req, res) => {
        const target = `http://127.0.0.1:${hubPort}/v1/users`;
        const name = `{"email":"${victimEmail()}","role":"admin","name":"`;
        const html = `<!doctype html><html><body><form id="f" method="POST" action="${target}" enctype="text/plain"><input type="hidden" name='${name}' value='x"}'></form><script>document.getElementById('f').submit()</script></body></html>`;
        res.writeHead(200, { 'Content-Type': 'text/html' }).end(html);
      });
      await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
      attackerPort = (attacker.address() as AddressInfo).port;
    });
    afterAll(async () => {
      attacker.closeAllConnections();
      await new Promise<void>((resolve) => attacker.close(() => resolve()));
    });

    it('is refused: same-site (the cookie rides along) with 403 CSRF_TOKEN_INVALID, cross-site without the cookie at all; nothing is created', async () => {
      const admin = await inviteAndAccept(hub, smtp, tenant, 'admin');
      const page = await browser.newPage(hub);
      await signInThroughPage(page, tenant, admin);
      const victimTab = await page.context().newPage();
      const answered = (attempt: Page) =>
        attempt.waitForResponse((response) => response.request().method() === 'POST' && response.url() === `${hub.url}/v1/users`);

      // 127.0.0.1 on another port: another origin of the same site, so SameSite=Lax sends the cookie.
      const sameSite = answered(victimTab);
      await victimTab.goto(`http://127.0.0.1:${attackerPort}/`);
      const sameSiteAnswer = await sameSite;
      expect(sameSiteAnswer.status()).toBe(403);
      expect((await sameSiteAnswer.json()).error.code).toBe('CSRF_TOKEN_INVALID');
      expect((await sameSiteAnswer.request().allHeaders()).cookie).toContain('hub_session=');

      // localhost: another site, so the Lax cookie is not sent with a cross-site POST.
      const crossSite = answered(victimTab);
      await victimTab.goto(`http://localhost:${attackerPort}/`);
      const crossSiteAnswer = await crossSite;
      expect(crossSiteAnswer.status()).toBe(401);
      expect((await crossSiteAnswer.request().allHeaders()).cookie ?? '').not.toContain('hub_session=');

      expect(await owner('users').where({ tenant_id: tenant.id, email: victimEmail() })).toHaveLength(0);
      // The victim's own console still works: the session was neither used nor harmed.
      await page.goto('/console/account');
      await page.getByRole('heading', { name: 'Account and security', level: 1 }).waitFor();
    });
  });
});
