import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import Papa from 'papaparse';
import { recordUsage } from '../../platform/metering/recordUsage';
import { seriousAxeViolations, signInThroughPage, useBrowser } from '../support/browser';
import { inviteAndAccept, type ConsoleUser } from '../support/consoleUsers';
import { eventually } from '../support/eventually';
import { useHub, useStarted } from '../support/harness';
import { startSmtpCatcher } from '../support/smtpCatcher';
import { createUser } from '../support/tenantKeys';

const DAY_MS = 86_400_000;

/** Polls `read` until `accept` holds for its value (the page refreshes on its own schedule). */
async function until<T>(read: () => Promise<T>, accept: (value: T) => boolean, what: string): Promise<T> {
  let last: T | undefined;
  try {
    return await eventually(
      async () => {
        last = await read();
        return accept(last) ? last : undefined;
      },
      20_000,
      what,
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}; last value: ${JSON.stringify(last)}`);
  }
}

describe('console: dashboard, invoices, settings and audit log', () => {
  const smtp = useStarted(startSmtpCatcher, 'the SMTP catcher');
  const { hub, tenant, owner } = useHub({ env: () => ({ SMTP_URL: smtp.url }), tenants: [{ plan: 'professional' }] });
  const browser = useBrowser();
  let admin: ConsoleUser;

  beforeAll(async () => {
    admin = await inviteAndAccept(hub, smtp, tenant, 'admin');
    // 7 API calls 40 days ago: in the 90-day trend, not the 30-day one.
    for (let index = 0; index < 7; index += 1) {
      await recordUsage(hub.db, {
        tenantId: tenant.id,
        kind: 'api_call',
        quantity: 1,
        occurredAt: new Date(Date.now() - 40 * DAY_MS),
        method: 'GET',
        route: '/v1/connectors',
        status: 200,
        latencyMs: 3,
        costUnits: 1,
      });
    }
    await recordUsage(hub.db, { tenantId: tenant.id, kind: 'sync_records', quantity: 250, occurredAt: new Date(), dedupeKey: `sync-${randomUUID()}` });
    // Calls of this month through the API, and jobs: one sync completed, one failed, one job running.
    for (let index = 0; index < 4; index += 1) expect((await hub.request('GET', '/v1/users', { key: tenant.key })).status).toBe(200);
    for (const status of ['completed', 'failed'] as const) {
      const id = randomUUID();
      await owner('jobs').insert({
        id,
        tenant_id: tenant.id,
        kind: 'sync',
        status: 'running',
        workflow_id: `job/${tenant.slug}/sync/${id}`,
        started_at: owner.fn.now(),
      });
      await owner('jobs').where({ id }).update({ status, finished_at: owner.fn.now() });
    }
    const runningId = randomUUID();
    await owner('jobs').insert({
      id: runningId,
      tenant_id: tenant.id,
      kind: 'export',
      status: 'running',
      workflow_id: `job/${tenant.slug}/export/${runningId}`,
      started_at: owner.fn.now(),
    });
  });

  it('the dashboard shows the API’s figures, draws the trend charts and switches 30/90 days', async () => {
    const before = (await hub.request('GET', '/v1/analytics/dashboard', { key: tenant.key })).body;
    const page = await browser.newPage(hub);
    await signInThroughPage(page, tenant, admin, '/');
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
    await page.getByTestId('stat-active-users').waitFor();
    const after = (await hub.request('GET', '/v1/analytics/dashboard', { key: tenant.key })).body;
    const upcoming = (await hub.request('GET', '/v1/invoices/upcoming', { key: tenant.key })).body.invoice;

    const shown = async (testId: string) => (await page.getByTestId(testId).textContent())!.trim();
    const digits = (text: string) => Number(text.replace(/[^\d.]/g, ''));
    expect(digits(await shown('stat-active-users'))).toBe(after.activeUsers);
    expect(after.activeUsers).toBeGreaterThanOrEqual(1);
    // API calls keep counting (the page's own calls are metered): the figure lies between two reads.
    await page.getByTestId('stat-api-calls').waitFor();
    const calls = digits(await shown('stat-api-calls'));
    expect(calls).toBeGreaterThanOrEqual(before.quota.used);
    expect(calls).toBeLessThanOrEqual(after.quota.used);
    expect(before.quota.used).toBeGreaterThanOrEqual(4);
    expect(digits(await shown('stat-month-cost'))).toBeCloseTo(after.monthToDateCost.totalCents / 100, 2);
    expect(digits(await shown('stat-upcoming-invoice'))).toBeCloseTo(upcoming.totalCents / 100, 2);
    expect(after.syncSuccessRate).toBe(0.5);
    expect(await shown('stat-sync-success')).toBe('50.0%');
    expect(await shown('stat-jobs-running')).toBe('1');

    // The chart is a canvas with a size, and its numbers are in a table for assistive technology.
    const chart = page.getByTestId('chart-API calls per day');
    const canvas = chart.locator('canvas').first();
    await canvas.waitFor();
    const box = (await canvas.boundingBox())!;
    expect(box.width).toBeGreaterThan(100);
    expect(box.height).toBeGreaterThan(100);
    const dayTable = page.getByRole('table', { name: 'API calls per day' });
    await until(
      () => dayTable.locator('tbody tr').count(),
      (rows) => rows === 30,
      'a 30-day table',
    );
    const summary30 = (await chart.getAttribute('aria-label'))!;
    const total30 = digits(/([\d,]+) API calls over the last 30 days/.exec(summary30)![1]!);
    expect(total30).toBeGreaterThanOrEqual(4);
    await until(
      async () => (await page.getByRole('table', { name: 'Usage by kind' }).textContent()) ?? '',
      (text) => text.includes('Synced records'),
      'synced records by kind',
    );
    await until(
      async () => (await page.getByRole('img', { name: /API calls by endpoint/ }).getAttribute('aria-label')) ?? '',
      (text) => text.includes('GET /v1/users'),
      'the endpoint chart',
    );

    await page.getByText('90 days').click();
    await until(
      () => dayTable.locator('tbody tr').count(),
      (rows) => rows === 90,
      'a 90-day table',
    );
    const summary90 = (await chart.getAttribute('aria-label'))!;
    const total90 = digits(/([\d,]+) API calls over the last 90 days/.exec(summary90)![1]!);
    expect(total90).toBeGreaterThanOrEqual(total30 + 7);
    expect(await page.getByRole('img', { name: /API calls by endpoint/ }).getAttribute('aria-label')).toContain('GET /v1/connectors: 7');
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it('invoices: the upcoming invoice with its lines, issued invoices with status and documents', async () => {
    await owner('invoices').insert({
      id: randomUUID(),
      tenant_id: tenant.id,
      period: '2026-01',
      status: 'paid',
      plan: 'professional',
      currency: 'usd',
      lines: JSON.stringify([{ code: 'plan', description: 'Professional plan', quantity: 1, unitAmountCents: 49_900, amountCents: 49_900 }]),
      usage: JSON.stringify({ apiCalls: 10, scans: 0, syncedRecords: 0, peakSeats: 1 }),
      subtotal_cents: 49_900,
      total_cents: 49_900,
      amount_paid_cents: 49_900,
      stripe_invoice_number: 'HUB-0001',
      hosted_invoice_url: 'https://invoice.stripe.test/i/hub-0001',
      invoice_pdf_url: 'https://invoice.stripe.test/i/hub-0001.pdf',
      attempt_count: 1,
      finalized_at: new Date('2026-02-01T00:05:00Z'),
      paid_at: new Date('2026-02-01T00:06:00Z'),
    });
    const page = await browser.newPage(hub);
    await signInThroughPage(page, tenant, admin, '/invoices');
    await page.getByRole('heading', { name: 'Invoices', level: 1 }).waitFor();
    const upcoming = (await hub.request('GET', '/v1/invoices/upcoming', { key: tenant.key })).body.invoice;
    const lines = page.getByRole('table', { name: 'Upcoming invoice lines' });
    await lines.waitFor();
    expect(await lines.locator('tbody tr').count()).toBe(upcoming.lines.length);
    for (const line of upcoming.lines as Array<{ description: string }>) await lines.getByText(line.description).waitFor();
    const issued = page.getByRole('table', { name: 'Invoices' });
    const row = issued.locator('tbody tr').filter({ hasText: '2026-01' });
    await row.waitFor();
    expect(await row.getByTestId('invoice-status').textContent()).toBe('Paid');
    expect(await row.getByRole('link', { name: /PDF/ }).getAttribute('href')).toBe('https://invoice.stripe.test/i/hub-0001.pdf');
    expect(await row.getByRole('link', { name: /Pay or view online/ }).getAttribute('href')).toBe('https://invoice.stripe.test/i/hub-0001');
    expect(await row.textContent()).toContain('HUB-0001');
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it('settings: an admin saves the session idle timeout; a bad value shows the API’s error inline; a viewer cannot change them', async () => {
    const page = await browser.newPage(hub);
    await signInThroughPage(page, tenant, admin, '/settings');
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
    expect(await page.getByTestId('tenant-plan').textContent()).toBe('professional');
    const idle = page.getByLabel(/^Session idle timeout/);
    await idle.fill('45');
    await page.getByRole('button', { name: 'Save security settings' }).click();
    await until(
      async () => (await hub.request('GET', '/v1/tenant', { key: tenant.key })).body.tenant.settings.security.sessionIdleTimeoutMinutes,
      (minutes) => minutes === 45,
      'the saved idle timeout',
    );
    // The notification fades out over its last frames; dismissed, axe reads the page, not an animation.
    await page.getByRole('button', { name: 'Dismiss notification' }).click();
    await page.getByText('Security settings saved.').waitFor({ state: 'detached' });

    const refused = await hub.request('PATCH', '/v1/tenant', { key: tenant.key, body: { settings: { security: { sessionIdleTimeoutMinutes: 5000 } } } });
    expect(refused.status).toBe(400);
    const message = refused.body.error.details.find((detail: { path: string }) => detail.path.endsWith('sessionIdleTimeoutMinutes')).message;
    await page.getByLabel(/^Session idle timeout/).fill('5000');
    await page.getByRole('button', { name: 'Save security settings' }).click();
    await page.getByText(message).waitFor();
    expect(await page.getByLabel(/^Session idle timeout/).getAttribute('aria-invalid')).toBe('true');
    expect((await hub.request('GET', '/v1/tenant', { key: tenant.key })).body.tenant.settings.security.sessionIdleTimeoutMinutes).toBe(45);
    expect(await seriousAxeViolations(page)).toEqual([]);

    const viewer = await inviteAndAccept(hub, smtp, tenant, 'viewer');
    const viewerPage = await browser.newPage(hub);
    await signInThroughPage(viewerPage, tenant, viewer, '/settings');
    await viewerPage.getByText('Only admins change settings').waitFor();
    expect(await viewerPage.getByLabel(/^Session idle timeout/).isDisabled()).toBe(true);
    expect(await viewerPage.getByRole('button', { name: 'Save security settings' }).count()).toBe(0);
    expect(await seriousAxeViolations(viewerPage)).toEqual([]);
  });

  it('audit log: filtering by action narrows the rows, and the export downloads those rows as CSV', async () => {
    for (let index = 0; index < 3; index += 1) await createUser(hub, tenant.key);
    const page = await browser.newPage(hub);
    await signInThroughPage(page, tenant, admin, '/audit');
    await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
    const table = page.getByRole('table', { name: 'Audit log entries' });
    await table.waitFor();
    const all = (await hub.request('GET', '/v1/audit-logs', { key: tenant.key })).body.pagination.total;
    expect(await page.getByTestId('audit-total').textContent()).toContain(String(all));
    expect(new Set(await table.getByTestId('audit-action').allTextContents()).size).toBeGreaterThan(1);

    await page.getByLabel('Action').fill('user.created');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    const expected = (await hub.request('GET', '/v1/audit-logs?action=user.created', { key: tenant.key })).body;
    await until(
      () => table.getByTestId('audit-action').count(),
      (rows) => rows === expected.data.length,
      'the filtered rows',
    );
    expect(new Set(await table.getByTestId('audit-action').allTextContents())).toEqual(new Set(['user.created']));
    expect(new URL(page.url()).searchParams.get('action')).toBe('user.created');
    expect(await seriousAxeViolations(page)).toEqual([]);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()]);
    const csv = fs.readFileSync((await download.path())!, 'utf8');
    const rows = Papa.parse<Record<string, string>>(csv.trim(), { header: true }).data;
    expect(rows.map((row) => Number(row.seq))).toEqual(expected.data.map((entry: { seq: number }) => entry.seq));
    expect(new Set(rows.map((row) => row.action))).toEqual(new Set(['user.created']));

    await page.getByLabel('Action').fill('Not An Action');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText(/an action such as user.created/).waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
  });
});
