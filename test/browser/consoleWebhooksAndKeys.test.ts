import { type Page } from 'playwright-core';
import { useHub, useStarted } from '../support/harness';
import { seriousAxeViolations, signInThroughPage, useBrowser, webStorage } from '../support/browser';
import { inviteAndAccept, type ConsoleUser } from '../support/consoleUsers';
import { eventually } from '../support/eventually';
import { startSmtpCatcher } from '../support/smtpCatcher';
import { startWebhookReceiver } from '../support/webhookReceiver';

/** The Webhooks and API keys screens in a real browser, against a local receiver and the real API. */
describe('console: webhooks and API keys', () => {
  const smtp = useStarted(startSmtpCatcher, 'the SMTP catcher');
  // The receiver refuses until the test lets it answer 200, so the delivery fails its schedule first.
  const receiver = useStarted(() => startWebhookReceiver(() => ({ status: 503, body: 'receiver is down for maintenance' })), 'the webhook receiver');
  const { hub, tenant } = useHub({
    env: () => ({ SMTP_URL: smtp.url, WEBHOOK_RETRY_SCHEDULE: '300ms,300ms', WEBHOOK_DISPATCH_SWEEP: '2s', WEBHOOK_DISABLE_AFTER: '5d' }),
    tenants: [{}],
  });
  const browser = useBrowser();
  let admin: ConsoleUser;

  beforeAll(async () => {
    admin = await inviteAndAccept(hub, smtp, tenant, 'admin');
  });

  async function signedIn(user: ConsoleUser, path: string, heading: string): Promise<Page> {
    const page = await browser.newPage(hub);
    await signInThroughPage(page, tenant, user, path);
    await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
    return page;
  }

  it('registers a webhook, shows its secret once, lists its failing delivery with attempts and re-sends it', async () => {
    const page = await signedIn(admin, '/webhooks', 'Webhooks');
    await page.getByText('No endpoints yet').waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Register endpoint' }).click();
    const dialog = page.getByRole('dialog', { name: 'Register a webhook endpoint' });
    await dialog.getByLabel(/^Endpoint URL/).fill(receiver.url);
    // Every event type of the API's enum is offered.
    for (const type of [
      'sync.completed',
      'sync.failed',
      'job.completed',
      'job.failed',
      'invoice.paid',
      'webhook.endpoint.disabled',
      'webhook.endpoint.failing',
    ])
      await dialog.getByRole('checkbox', { name: new RegExp(`^${type.replace('.', '\\.')}`) }).waitFor();
    await dialog.getByRole('checkbox', { name: /^job\.completed/ }).check();
    expect(await seriousAxeViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Register' }).click();

    const secret = (await dialog.getByTestId('secret-once').textContent())!;
    expect(secret).toMatch(/^whsec_/);
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(Object.values(await webStorage(page)).join('\n')).not.toContain(secret);
    await dialog.getByRole('button', { name: 'Done' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await page.getByTestId('secret-once').count()).toBe(0);
    expect(await page.content()).not.toContain(secret);
    await page.reload();
    await page.getByRole('table', { name: 'Webhook endpoints' }).getByText(receiver.url).waitFor();
    expect(await page.content()).not.toContain(secret);

    // An event: a job completes (started through the API), the endpoint is sent job.completed.
    const job = await hub.request('POST', '/v1/jobs', { key: tenant.key, body: { kind: 'backup' } });
    expect(job.status).toBe(202);
    const first = await eventually(() => receiver.received.find((entry) => entry.body.includes(job.body.job.id)), 60_000, 'the job.completed webhook');
    const eventId = first.headers['webhook-id']!;

    await page.getByRole('button', { name: `Deliveries to ${receiver.url}` }).click();
    const row = page.getByTestId(`delivery-${eventId}`);
    await page.locator(`[data-testid="delivery-${eventId}"][data-status="failed"]`).waitFor({ timeout: 30_000 });
    const sent = receiver.byId(eventId).length;
    expect(sent).toBe(3);
    expect(await page.getByTestId(`delivery-attempts-${eventId}`).textContent()).toBe(String(sent));
    await row.getByText('receiver is down for maintenance').waitFor();
    expect(await row.getByRole('link', { name: /Temporal/ }).getAttribute('href')).toContain(encodeURIComponent(`webhooks/${tenant.slug}/drainer`));
    await row.getByRole('button', { name: /^Attempts of job\.completed/ }).click();
    const attempts = page.getByRole('table', { name: /^Attempts of delivery/ });
    expect(await attempts.locator('tbody tr').count()).toBe(sent);
    await attempts.getByText('503').first().waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);

    receiver.respond(() => ({ status: 200 }));
    await row.getByRole('button', { name: /^Re-send job\.completed/ }).click();
    await page.locator(`[data-testid="delivery-${eventId}"][data-status="succeeded"]`).waitFor({ timeout: 30_000 });
    expect(receiver.byId(eventId).length).toBe(sent + 1);
    await eventually(
      async () => (await page.getByTestId(`delivery-attempts-${eventId}`).textContent()) === String(sent + 1) || undefined,
      10_000,
      'the manual attempt counted',
    );
    await attempts.getByText('manual').waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);

    // Disable, then delete (after confirming).
    await page.getByRole('switch', { name: `Enabled: ${receiver.url}` }).click({ force: true });
    await eventually(
      async () => {
        const listed = await hub.request('GET', '/v1/webhooks', { key: tenant.key });
        return listed.body.data[0]?.enabled === false || undefined;
      },
      10_000,
      'the endpoint disabled',
    );
    await page.getByRole('button', { name: `Delete ${receiver.url}` }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete this endpoint?' });
    expect(await seriousAxeViolations(page)).toEqual([]);
    await confirm.getByRole('button', { name: 'Delete endpoint' }).click();
    await page.getByText('No endpoints yet').waitFor();
  });

  it('creates an API key through the page whose secret works once shown, then revokes it (401)', async () => {
    expect((await hub.request('PATCH', '/v1/tenant', { key: tenant.key, body: { settings: { security: { keyMaxLifetimeDays: 30 } } } })).status).toBe(200);
    const page = await signedIn(admin, '/api-keys', 'API keys');
    await page.getByRole('table', { name: 'API keys' }).waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Create key' }).click();
    const dialog = page.getByRole('dialog', { name: 'Create an API key' });
    await dialog.getByText("This organisation's keys expire within 30 days").waitFor();
    await dialog.getByLabel(/^Name/).fill('Browser-made key');
    await dialog.getByLabel(/^Role/).first().click();
    for (const role of ['Admin', 'Manager', 'Member', 'Viewer']) await page.getByRole('option', { name: new RegExp(`^${role}:`) }).waitFor();
    await page.getByRole('option', { name: /^Member:/ }).click();
    await dialog.getByLabel(/^Expires in/).fill('7');
    expect(await seriousAxeViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Create key' }).click();

    const secret = (await dialog.getByTestId('secret-once').textContent())!;
    expect(secret).toMatch(/^hub_sk_/);
    expect(Object.values(await webStorage(page)).join('\n')).not.toContain(secret);
    expect(await seriousAxeViolations(page)).toEqual([]);
    const used = await hub.request('GET', '/v1/records', { key: secret });
    expect(used.status).toBe(200);
    const created = await hub.request('GET', '/v1/api-keys?status=active', { key: tenant.key });
    const key = (created.body.data as Array<{ name: string; prefix: string; role: string; expiresAt: string }>).find(
      (entry) => entry.name === 'Browser-made key',
    )!;
    expect(key.role).toBe('member');
    const days = (new Date(key.expiresAt).getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThanOrEqual(7);

    await dialog.getByRole('button', { name: 'Done' }).click();
    await dialog.waitFor({ state: 'hidden' });
    expect(await page.content()).not.toContain(secret);
    const row = page.getByTestId(`api-key-${key.prefix}`);
    await row.getByText('by you').waitFor();
    await row.getByRole('button', { name: 'Revoke Browser-made key' }).click();
    const confirm = page.getByRole('dialog', { name: 'Revoke this key?' });
    expect(await seriousAxeViolations(page)).toEqual([]);
    await confirm.getByRole('button', { name: 'Revoke key' }).click();
    await confirm.waitFor({ state: 'hidden' });
    await row.waitFor({ state: 'detached' });
    expect((await hub.request('GET', '/v1/records', { key: secret })).status).toBe(401);
  });

  it("a member may revoke only its own keys: the API's refusal is shown", async () => {
    const other = await hub.request('POST', '/v1/api-keys', { key: tenant.key, body: { name: 'Someone else’s key', role: 'viewer' } });
    expect(other.status).toBe(201);
    const member = await inviteAndAccept(hub, smtp, tenant, 'member');
    const page = await signedIn(member, '/api-keys', 'API keys');
    const row = page.getByTestId(`api-key-${other.body.apiKey.prefix}`);
    await row.getByRole('button', { name: 'Revoke Someone else’s key' }).click();
    const confirm = page.getByRole('dialog', { name: 'Revoke this key?' });
    await confirm.getByRole('button', { name: 'Revoke key' }).click();
    await confirm.getByRole('alert').filter({ hasText: 'only keys it created' }).waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect((await hub.request('GET', '/v1/users', { key: other.body.apiKey.key })).status).toBe(200);
  });

  it('a viewer sees endpoints and deliveries but no control that changes them, and no API keys', async () => {
    const created = await hub.request('POST', '/v1/webhooks', { key: tenant.key, body: { url: receiver.url, events: ['invoice.paid'] } });
    expect(created.status).toBe(201);
    const viewer = await inviteAndAccept(hub, smtp, tenant, 'viewer');
    const page = await signedIn(viewer, '/webhooks', 'Webhooks');
    await page.getByRole('table', { name: 'Webhook endpoints' }).waitFor();
    expect(await page.getByRole('button', { name: 'Register endpoint' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /^Delete/ }).count()).toBe(0);
    expect(await page.getByRole('switch').count()).toBe(0);
    await page
      .getByTestId(`webhook-${created.body.webhook.id}`)
      .getByRole('button', { name: /^Deliveries to/ })
      .click();
    await page.getByText('No deliveries yet').waitFor();
    expect(await page.getByRole('button', { name: /^Re-send/ }).count()).toBe(0);
    expect(await seriousAxeViolations(page)).toEqual([]);

    await page.goto('/console/api-keys');
    await page.getByRole('heading', { name: 'API keys', level: 1 }).waitFor();
    await page.getByText('API keys are for members and above').waitFor();
    expect(await page.getByRole('button', { name: 'Create key' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /^Revoke/ }).count()).toBe(0);
    expect(await seriousAxeViolations(page)).toEqual([]);
  });
});
