import fs from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { chromiumPath } from '../../platform/local/chromium';
import { periodOf } from '../../platform/billing/periods';
import { startStripePeer } from '../peers/stripe/stripePeer';
import { billingEnv } from '../support/billing';
import { seriousAxeViolations, signInThroughPage, useBrowser, webStorage } from '../support/browser';
import { inviteAndAccept, linkToken } from '../support/consoleUsers';
import { useHub, useStarted } from '../support/harness';
import { uniqueSuffix } from '../support/hub';
import { startSmtpCatcher } from '../support/smtpCatcher';

/** Evaluated as a string: the test project's TypeScript has no DOM library. */
const computed = (page: Page, selector: string, property: string) =>
  page.evaluate(`getComputedStyle(document.querySelector(${JSON.stringify(selector)})).${property}`) as Promise<string>;
const rootVariable = (page: Page, name: string) =>
  page.evaluate(`getComputedStyle(document.documentElement).getPropertyValue(${JSON.stringify(name)}).trim()`) as Promise<string>;

/** Polls `read` until it answers `expected` (or 10 s pass), then asserts it. */
async function settlesTo(read: () => Promise<string>, expected: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  let value = await read();
  while (value !== expected && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await read();
  }
  expect(value).toBe(expected);
}

describe('console: white-label with live preview and the tenant theme; the platform operator; a branded custom domain', () => {
  const smtp = useStarted(startSmtpCatcher, 'the SMTP catcher');
  const stripe = useStarted(() => startStripePeer({ port: 0 }), 'the Stripe peer');
  const { hub, tenant } = useHub({ env: () => ({ SMTP_URL: smtp.url, ...billingEnv(stripe) }), tenants: [{ plan: 'enterprise' }] });
  const browser = useBrowser();
  const domain = `brand-${uniqueSuffix()}.example`;

  beforeAll(async () => {
    // The domain the operator approves below; the colours are set through the screen.
    const named = await hub.request('PATCH', '/v1/tenant', { key: tenant.key, body: { branding: { customDomain: domain } } });
    expect(named.status).toBe(200);
  });

  it('the preview follows the colour as it is typed; after saving, the console itself takes the tenant colour', async () => {
    const admin = await inviteAndAccept(hub, smtp, tenant, 'admin');
    const page = await browser.newPage(hub);
    await signInThroughPage(page, tenant, admin, '/branding');
    await page.getByRole('heading', { name: 'White-label', level: 1 }).waitFor();
    await page.getByTestId('custom-domain-status').filter({ hasText: 'Awaiting approval' }).waitFor();
    const consoleBefore = await rootVariable(page, '--hub-color-primary');
    expect(await seriousAxeViolations(page)).toEqual([]);

    const previewButton = '[data-testid="preview-primary-button"]';
    const previewBefore = await computed(page, previewButton, 'backgroundColor');
    const primary = page.getByLabel(/^Primary colour/);
    await primary.fill('#0b6e4');
    // Not a colour yet: the preview keeps the last usable one.
    expect(await computed(page, previewButton, 'backgroundColor')).toBe(previewBefore);
    await primary.pressSequentially('f');
    await settlesTo(() => computed(page, previewButton, 'backgroundColor'), 'rgb(11, 110, 79)');
    await page.getByLabel(/^Company name/).fill('Brand Health');
    await page.getByTestId('branding-preview').getByText('Brand Health').first().waitFor();
    await page.getByLabel(/^Secondary colour/).fill('#1f2937');
    await settlesTo(() => computed(page, '[data-testid="preview-header"]', 'backgroundColor'), 'rgb(31, 41, 55)');
    // Nothing saved yet: the console keeps its colour.
    expect(await rootVariable(page, '--hub-color-primary')).toBe(consoleBefore);
    await page.keyboard.press('Escape');
    expect(await seriousAxeViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Save branding' }).click();
    await page.getByText(/^Branding saved/).waitFor();
    await settlesTo(() => rootVariable(page, '--hub-color-primary'), '#0b6e4f');
    expect(await page.getByTestId('tenant-title').textContent()).toBe('Brand Health');
    expect(await seriousAxeViolations(page)).toEqual([]);

    // A refused value is shown at its field; the (now enabled) primary button wears the tenant colour.
    await page.getByLabel(/^Logo URL/).fill('http://insecure.example/logo.png');
    await page.mouse.move(0, 0); // not hovering it (hover darkens it)
    await settlesTo(() => computed(page, 'form[aria-label="Branding"] button[type="submit"]', 'backgroundColor'), 'rgb(11, 110, 79)');
    await page.getByRole('button', { name: 'Save branding' }).click();
    await page
      .getByText(/must be an https URL|Invalid URL/i)
      .first()
      .waitFor();
  });

  it('the operator signs in with the admin token (kept nowhere), creates and suspends a tenant, approves a domain and follows a billing run', async () => {
    const page = await browser.newPage(hub);
    await page.goto('/console/operator');
    await page.getByRole('heading', { name: 'Platform operator', level: 1 }).waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    const tokenField = page.getByLabel(/^Admin token/);
    expect(await tokenField.getAttribute('type')).toBe('password');
    await tokenField.fill('certainly not the admin token');
    await page.getByRole('button', { name: 'Sign in as operator' }).click();
    await page.getByRole('alert').filter({ hasText: 'admin token is missing or wrong' }).waitFor();
    await tokenField.fill(hub.adminToken);
    await page.getByRole('button', { name: 'Sign in as operator' }).click();
    await page.getByRole('heading', { name: 'Tenants', level: 1 }).waitFor();

    const cookie = (await page.context().cookies()).find((entry) => entry.name === 'hub_operator');
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/v1/admin' });
    expect(Object.values(await webStorage(page)).join('\n')).not.toContain(hub.adminToken);
    expect(page.url()).not.toContain(hub.adminToken);
    expect(await page.content()).not.toContain(hub.adminToken);
    await page.getByTestId(`tenant-row-${tenant.slug}`).waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);

    // Create a tenant: its admin key is shown once.
    const slug = `op-${uniqueSuffix()}`;
    await page.getByRole('button', { name: 'Create tenant' }).first().click();
    const dialog = page.getByRole('dialog', { name: 'Create a tenant' });
    await dialog.getByLabel(/^Name/).fill('Operator Made');
    await dialog.getByLabel(/^Slug/).fill(slug);
    await dialog.getByLabel(/^Admin e-mail/).fill(`admin@${slug}.test`);
    await dialog.getByRole('button', { name: 'Create tenant' }).click();
    await dialog.waitFor({ state: 'hidden', timeout: 60_000 });
    const secret = await page.getByTestId('secret-once').textContent({ timeout: 60_000 });
    expect(secret).toMatch(/^hub_sk_/);
    const row = page.getByTestId(`tenant-row-${slug}`);
    await row.getByText('active').waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    // Invite yourself with the new key: the invite e-mail goes out.
    const email = `me-${uniqueSuffix()}@${slug}.test`;
    await page.getByRole('form', { name: 'Invite a console admin' }).getByLabel(/^Name/).fill('Me');
    await page
      .getByRole('form', { name: 'Invite a console admin' })
      .getByLabel(/^E-mail/)
      .fill(email);
    await page.getByRole('button', { name: 'Send invite' }).click();
    await page.getByText('Invite sent').waitFor();
    const invite = await smtp.waitFor(email, 'invited');
    // The rest of the first-run path: the link sets a password (the API call the invite page makes), then sign-in.
    const password = `first run ${uniqueSuffix()} password`;
    const accepted = await hub.request('POST', '/v1/auth/invitations/accept', { body: { token: linkToken(invite.text), password } });
    expect(accepted.status).toBe(200);
    const member = await browser.newPage(hub);
    await signInThroughPage(member, { slug }, { email, password });
    expect(await member.getByTestId('session-role').textContent()).toBe('admin');
    await page.getByRole('button', { name: 'Done' }).click();
    expect(await page.getByTestId('secret-once').count()).toBe(0);

    // Suspend it (confirmed), then see it suspended; the API agrees.
    await row.getByRole('button', { name: `Suspend ${slug}` }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Suspend tenant' }).click();
    await page.getByRole('dialog').waitFor({ state: 'hidden' });
    await row.getByTestId('tenant-status').filter({ hasText: 'suspended' }).waitFor();
    const listed = await hub.request('GET', '/v1/admin/tenants?limit=100', { admin: true });
    expect(listed.body.data.find((entry: { slug: string }) => entry.slug === slug).status).toBe('suspended');

    // Approve the branded tenant's custom domain.
    await page.getByRole('button', { name: `Approve domain ${domain}` }).click();
    await page.getByTestId(`tenant-row-${tenant.slug}`).getByText('approved', { exact: true }).waitFor();

    // A billing run of last month for the branded tenant, followed live to its end.
    await page.getByRole('link', { name: 'Billing runs' }).click();
    await page.getByRole('heading', { name: 'Billing runs', level: 1 }).waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    // This month (forced: it has not ended), when the tenant exists.
    const period = periodOf(new Date());
    await page.getByLabel(/^Month/).fill(period);
    await page.getByLabel(/^Only these tenants/).fill(tenant.slug);
    await page.getByLabel(/^Bill it even if the month has not ended/).check();
    // Other files bill the same month on this database at the same time: follow this run by its id.
    const [started] = await Promise.all([
      page.waitForResponse((response) => response.url().endsWith('/v1/admin/billing/runs') && response.request().method() === 'POST'),
      page.getByRole('button', { name: 'Start billing run' }).click(),
    ]);
    const runId = ((await started.json()) as { job: { id: string } }).job.id;
    const run = page.locator(`tr[data-run-id="${runId}"]`);
    await run.waitFor();
    await run
      .getByTestId('billing-run-status')
      .filter({ hasText: /^completed$/ })
      .waitFor({ timeout: 60_000 });
    expect(await run.getByTestId('billing-run-progress').textContent()).toBe('1 of 1 tenants');
    expect(await run.getByRole('link', { name: /Temporal history/ }).getAttribute('href')).toContain(encodeURIComponent('billing'));
    expect(await seriousAxeViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Platform operator', level: 1 }).waitFor();
    expect((await page.context().cookies()).find((entry) => entry.name === 'hub_operator')).toBeUndefined();
  });

  describe('on the approved custom domain', () => {
    let mapped: Browser | undefined;
    afterAll(async () => {
      await mapped?.close();
    });

    it('serves the tenant-branded sign-in page', async () => {
      // What the tests above did through the screens (repeated, so this one stands alone).
      const branding = { companyName: 'Brand Health', primaryColor: '#0b6e4f', customDomain: domain };
      expect((await hub.request('PATCH', '/v1/tenant', { key: tenant.key, body: { branding } })).status).toBe(200);
      expect((await hub.request('PATCH', `/v1/admin/tenants/${tenant.id}`, { admin: true, body: { customDomainApproved: true } })).status).toBe(200);
      const executablePath = chromiumPath();
      expect(fs.existsSync(executablePath)).toBe(true);
      mapped = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-dev-shm-usage', `--host-resolver-rules=MAP ${domain} 127.0.0.1`] });
      const page = await (await mapped.newContext()).newPage();
      page.setDefaultTimeout(20_000);
      const port = new URL(hub.url).port;
      await page.goto(`http://${domain}:${port}/console/sign-in`);
      await page.getByTestId('sign-in-brand').getByText('Brand Health').waitFor();
      expect(await page.getByLabel(/^Organisation/).inputValue()).toBe(tenant.slug);
      await settlesTo(() => computed(page, 'button[type="submit"]', 'backgroundColor'), 'rgb(11, 110, 79)');
      expect(await seriousAxeViolations(page)).toEqual([]);

      // The hub's own address shows the plain sign-in page.
      await page.goto(`${hub.url}/console/sign-in`);
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      expect(await page.getByTestId('sign-in-brand').count()).toBe(0);
      expect(await page.getByLabel(/^Organisation/).inputValue()).toBe('');
    });
  });
});
