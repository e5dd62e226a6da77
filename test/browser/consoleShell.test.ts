import { useHub, useStarted } from '../support/harness';
import { seriousAxeViolations, signInThroughPage, useBrowser, webStorage } from '../support/browser';
import { inviteAndAccept } from '../support/consoleUsers';
import { startSmtpCatcher } from '../support/smtpCatcher';

describe('console: served at /console, sign-in, navigation, CSP', () => {
  const smtp = useStarted(startSmtpCatcher, 'the SMTP catcher');
  const { hub, tenant } = useHub({ env: () => ({ SMTP_URL: smtp.url }), tenants: [{}] });
  const browser = useBrowser();

  it('serves index.html without caching and hashed assets for a year, under a strict CSP', async () => {
    const index = await fetch(`${hub.url}/console/users?page=2`);
    expect(index.status).toBe(200);
    expect(index.headers.get('cache-control')).toBe('no-cache');
    const csp = index.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(csp).toContain("frame-ancestors 'none'");
    const html = await index.text();
    const asset = /src="(\/console\/assets\/[^"]+\.js)"/.exec(html)![1]!;
    const script = await fetch(`${hub.url}${asset}`);
    expect(script.status).toBe(200);
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await fetch(`${hub.url}/console/assets/missing-0000.js`)).status).toBe(404);
  });

  it('a signed-out visit goes to sign-in; signing in shows the console; nothing secret in web storage; no serious axe findings', async () => {
    const admin = await inviteAndAccept(hub, smtp, tenant, 'admin');
    const page = await browser.newPage(hub);
    const blockedScripts: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) blockedScripts.push(message.text());
    });
    await page.goto('/console/audit');
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(new URL(page.url()).searchParams.get('next')).toBe('/audit');
    expect(await seriousAxeViolations(page)).toEqual([]);

    await page.getByLabel('Organisation').fill(tenant.slug);
    await page.getByLabel('E-mail').fill(admin.email);
    await page.getByLabel(/^Password/).fill('not the password at all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'e-mail or password is wrong' }).waitFor();

    await signInThroughPage(page, tenant, admin, '/audit');
    await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
    expect(await page.getByTestId('session-role').textContent()).toBe('admin');
    const cookies = await page.context().cookies();
    expect(cookies.find((cookie) => cookie.name === 'hub_session')).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
    const stored = Object.values(await webStorage(page)).join('\n');
    expect(stored).not.toContain(cookies.find((cookie) => cookie.name === 'hub_session')!.value);
    expect(stored).not.toContain(admin.password);
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(blockedScripts).toEqual([]);
  });
});
