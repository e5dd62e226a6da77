import { type Page } from 'playwright-core';
import { startSalesforcePeer } from '../peers/salesforce/salesforcePeer';
import { registerSalesforceConnector } from '../support/connectorFactories';
import { eventually } from '../support/eventually';
import { useHub, useStarted } from '../support/harness';
import { seriousAxeViolations, signInThroughPage, useBrowser } from '../support/browser';
import { inviteAndAccept } from '../support/consoleUsers';
import { startSmtpCatcher } from '../support/smtpCatcher';

const COUNTS = { Account: 300, Contact: 60, Opportunity: 40 };
const TOTAL = COUNTS.Account + COUNTS.Contact + COUNTS.Opportunity;
const QUERY = /GET \/services\/data\/v62\.0\/query/;

/**
 * The Integrations screens in a real browser against the Salesforce peer: a connector added through
 * the form generated from the type's JSON Schema, tested, synced with live per-stream progress,
 * scheduled, paused and resumed, its records browsed page by page through the change-feed cursor;
 * axe on each screen; a viewer sees no mutation controls.
 */
describe('console: integrations', () => {
  const smtp = useStarted(startSmtpCatcher, 'the SMTP catcher');
  const peer = useStarted(() => startSalesforcePeer({ port: 0, records: COUNTS }));
  const { hub, tenant } = useHub({ env: () => ({ SMTP_URL: smtp.url, SYNC_PAGE_SIZE: '100' }), tenants: [{}] });
  const browser = useBrowser();
  afterEach(() => peer.faults.clear());

  const noSeriousAxe = async (page: Page, where: string) => expect({ where, violations: await seriousAxeViolations(page) }).toEqual({ where, violations: [] });

  it('a member adds a Salesforce connector from the generated form, tests it, syncs it live, schedules, pauses, resumes and browses its records', async () => {
    const member = await inviteAndAccept(hub, smtp, tenant, 'member');
    const page = await browser.newPage(hub);
    await signInThroughPage(page, tenant, member, '/integrations');
    await page.getByRole('heading', { name: 'Integrations', level: 1 }).waitFor();
    await page.getByText('No integrations yet.').waitFor();
    const salesforceCard = page.getByRole('article', { name: 'Salesforce' });
    await salesforceCard.getByText('Opportunity').waitFor();
    await noSeriousAxe(page, 'catalogue');

    // The form comes from the type's JSON Schema: defaults filled in, required marked, credentials as password fields.
    await page.getByRole('button', { name: 'Add Salesforce' }).click();
    const form = page.getByRole('form', { name: 'Add Salesforce integration' });
    await form.waitFor();
    expect(await form.getByLabel(/^API version/).inputValue()).toBe('62.0');
    expect(await form.getByLabel(/^Login URL/).inputValue()).toBe('https://login.salesforce.com');
    expect(await form.getByLabel(/^Instance URL/).getAttribute('required')).not.toBeNull();
    const method = form.getByRole('radiogroup', { name: 'Method' });
    await method.getByText('Client ID + refresh token', { exact: true }).click();
    await form.locator('input[name="refreshToken"]').waitFor();
    await method.getByText('Access token', { exact: true }).click();
    await form.locator('input[name="refreshToken"]').waitFor({ state: 'detached' });
    const tokenInput = form.locator('input[name="accessToken"]');
    expect(await tokenInput.getAttribute('type')).toBe('password');

    // Required fields are checked before the call; what only the API knows comes back inline, by field.
    await form.getByRole('button', { name: 'Add integration' }).click();
    await form.getByText('Required').first().waitFor();
    expect(await form.getByLabel(/^Instance URL/).getAttribute('aria-invalid')).toBe('true');
    await form.getByLabel(/^Name/).fill('Acme org');
    await form.getByLabel(/^Instance URL/).fill('not a url');
    await form.getByLabel(/^Login URL/).fill(peer.url);
    const token = peer.issueAccessToken();
    await tokenInput.fill(token);
    await form.getByRole('button', { name: 'Add integration' }).click();
    await form.getByRole('alert').filter({ hasText: 'The integration was not saved' }).waitFor();
    const instanceInput = form.locator('input[name="instanceUrl"][aria-invalid="true"]');
    await instanceInput.waitFor();
    const describedBy = (await instanceInput.getAttribute('aria-describedby'))!.split(' ').filter(Boolean);
    const instanceError = (await Promise.all(describedBy.map((id) => page.locator(`[id="${id}"]`).textContent()))).join(' ');
    expect(instanceError).toMatch(/url/i);
    await noSeriousAxe(page, 'the add form with an API error');

    await form.getByLabel(/^Instance URL/).fill(peer.url);
    await form.getByRole('button', { name: 'Add integration' }).click();
    await page.getByRole('heading', { name: 'Acme org', level: 1 }).waitFor();
    const connectorId = new URL(page.url()).pathname.split('/').at(-1)!;
    expect(connectorId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await page.content()).not.toContain(token);

    // Test connection: the workflow's outcome and its Temporal page.
    await page.getByRole('button', { name: 'Test connection' }).click();
    const testResult = page.getByTestId('test-result');
    await testResult.getByText('Connection works').waitFor({ timeout: 60_000 });
    expect(await testResult.getByRole('link', { name: /Temporal/ }).getAttribute('href')).toContain(
      encodeURIComponent(`connector-test/${tenant.slug}/${connectorId}`),
    );

    // Sync now, with pages slowed so the run is seen while it runs: per-stream counts grow live to the peer's count.
    peer.faults.add({ fault: { kind: 'latency', delayMs: 600 }, match: QUERY, times: Infinity });
    await page.getByRole('button', { name: 'Sync now' }).click();
    await page.getByTestId('latest-run-status').filter({ hasText: 'running' }).waitFor({ timeout: 30_000 });
    expect(await page.getByRole('button', { name: 'Sync now' }).isDisabled()).toBe(true);
    const whileRunning = Number((await page.getByTestId('latest-run-read').textContent())!.replace(/\D/g, ''));
    expect(whileRunning).toBeLessThan(TOTAL);
    await page.getByTestId('latest-run-status').filter({ hasText: 'completed' }).waitFor({ timeout: 90_000 });
    expect(await page.getByTestId('latest-run-read').textContent()).toBe(TOTAL.toLocaleString('en-US'));
    const accountRow = page.getByTestId('stream-Account');
    expect(await accountRow.locator('td').nth(2).textContent()).toBe(COUNTS.Account.toLocaleString('en-US'));
    expect(await page.getByRole('link', { name: /Temporal history/ }).getAttribute('href')).toContain(
      encodeURIComponent(`sync/${tenant.slug}/${connectorId}/runs/`),
    );
    await noSeriousAxe(page, 'the connector page after a sync');

    // Schedule by cron (a bad expression is refused inline), then at an interval, then pause and resume (the schedule follows the connector).
    const scheduleForm = page.getByRole('form', { name: 'Set the schedule' });
    await scheduleForm.getByRole('radiogroup', { name: 'Run' }).getByText('By cron expression').click();
    await scheduleForm.getByLabel(/^Cron expression/).fill('99 * * * *');
    await scheduleForm.getByRole('button', { name: 'Set schedule' }).click();
    await scheduleForm.getByText(/Temporal cannot parse this cron expression/).waitFor();
    expect(await scheduleForm.getByLabel(/^Cron expression/).getAttribute('aria-invalid')).toBe('true');
    await noSeriousAxe(page, 'the schedule form with a refused cron expression');
    await scheduleForm.getByLabel(/^Cron expression/).fill('0 4 * * *');
    await scheduleForm.getByRole('button', { name: 'Set schedule' }).click();
    await page.getByTestId('schedule-summary').filter({ hasText: 'Syncs cron 0 4 * * * (UTC); next run' }).waitFor();
    expect((await hub.request('GET', `/v1/connectors/${connectorId}/schedule`, { key: tenant.key })).body.schedule).toMatchObject({
      cron: '0 4 * * *',
      every: null,
    });
    await scheduleForm.getByRole('radiogroup', { name: 'Run' }).getByText('At an interval').click();
    await scheduleForm.getByLabel(/^Sync every/).fill('15');
    await scheduleForm.getByRole('button', { name: 'Change schedule' }).click();
    await page.getByTestId('schedule-summary').filter({ hasText: 'Syncs every 15m; next run' }).waitFor();
    await page.getByRole('button', { name: 'Pause', exact: true }).click();
    await page.getByTestId('connector-status').filter({ hasText: 'paused' }).waitFor();
    await page.getByTestId('schedule-summary').filter({ hasText: 'Syncs every 15m — paused' }).waitFor();
    expect(await page.getByRole('button', { name: 'Sync now' }).isDisabled()).toBe(true);
    const paused = await hub.request('GET', `/v1/connectors/${connectorId}/schedule`, { key: tenant.key });
    expect(paused.body.schedule).toMatchObject({ every: '15m', paused: true });
    await page.getByRole('button', { name: 'Resume' }).click();
    await page.getByTestId('connector-status').filter({ hasText: 'active' }).waitFor();
    await page.getByTestId('schedule-summary').filter({ hasText: 'Syncs every 15m; next run' }).waitFor();

    // Run history with per-stream counts.
    await page.getByRole('tab', { name: 'Sync history' }).click();
    const history = page.getByRole('table', { name: 'Sync history' });
    await history.getByRole('button', { name: /^Streams of the run/ }).click();
    await page.getByRole('table', { name: 'Run by stream' }).getByText('Opportunity').waitFor();

    // Records: pages follow the change-feed cursor; a record's JSON in a drawer; a stream filter.
    await page.getByRole('tab', { name: 'Records' }).click();
    const records = page.getByRole('table', { name: 'Records' });
    await records.waitFor();
    expect(await records.getByTestId('record-external-id').count()).toBe(50);
    const firstPage = await records.getByTestId('record-external-id').allTextContents();
    await page.getByRole('button', { name: 'Next page' }).click();
    await page.getByTestId('records-page').filter({ hasText: 'Page 2' }).waitFor();
    await eventually(
      async () => ((await records.getByTestId('record-external-id').first().textContent()) !== firstPage[0] ? true : undefined),
      10_000,
      'the second page',
    );
    const secondPage = await records.getByTestId('record-external-id').allTextContents();
    expect(secondPage).toHaveLength(50);
    expect(secondPage.filter((id) => firstPage.includes(id))).toEqual([]);
    await noSeriousAxe(page, 'the records browser');
    await records.getByRole('button', { name: `View record ${secondPage[0]}` }).click();
    const drawer = page.getByRole('dialog');
    const json = JSON.parse((await drawer.getByTestId('record-json').textContent())!);
    expect(json.Id).toBe(secondPage[0]);
    await noSeriousAxe(page, 'a record in the drawer');
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'hidden' });
    await page.getByRole('combobox', { name: 'Stream' }).click();
    await page.getByRole('option', { name: 'Contact' }).click();
    await page.getByTestId('records-page').filter({ hasText: 'Page 1' }).waitFor();
    await eventually(
      async () => {
        const streams = await records.locator('tbody tr td:nth-child(2)').allTextContents();
        return streams.length > 0 && streams.every((stream) => stream === 'Contact') ? true : undefined;
      },
      10_000,
      'only Contact records',
    );
    expect(await records.getByTestId('record-external-id').count()).toBe(50);

    // Settings: the stored credentials are "set", never shown; they can be replaced.
    await page.getByRole('tab', { name: 'Settings' }).click();
    await page.getByTestId('credentials-set').waitFor();
    expect(await page.getByLabel(/^Instance URL/).inputValue()).toBe(peer.url);
    expect(await page.content()).not.toContain(token);

    // The list shows status, last sync and schedule.
    await page.getByRole('link', { name: 'All integrations' }).click();
    const row = page.getByRole('table', { name: 'Integrations' }).getByRole('row', { name: /Acme org/ });
    await row.getByText(`${TOTAL.toLocaleString('en-US')} read`).waitFor();
    await row.getByText('Every 15m').waitFor();
    await noSeriousAxe(page, 'the integrations list');
  });

  it('a viewer sees the integrations but no control that changes them', async () => {
    const connectorId = await registerSalesforceConnector(hub, tenant, peer, { name: 'Viewer-visible org' });
    const viewer = await inviteAndAccept(hub, smtp, tenant, 'viewer');
    const page = await browser.newPage(hub);
    await signInThroughPage(page, tenant, viewer, '/integrations');
    await page.getByRole('link', { name: 'Viewer-visible org' }).waitFor();
    await page.getByRole('article', { name: 'Salesforce' }).waitFor();
    expect(await page.getByRole('button', { name: /^Add/ }).count()).toBe(0);

    await page.getByRole('link', { name: 'Viewer-visible org' }).click();
    await page.getByRole('heading', { name: 'Viewer-visible org', level: 1 }).waitFor();
    await page.getByText('Not synced yet.').waitFor();
    await page.getByTestId('schedule-summary').waitFor();
    for (const name of ['Sync now', 'Pause', 'Delete', 'Test connection', 'Set schedule']) {
      expect({ name, count: await page.getByRole('button', { name, exact: true }).count() }).toEqual({ name, count: 0 });
    }
    await page.getByRole('tab', { name: 'Settings' }).click();
    await page.getByTestId('connector-config').filter({ hasText: peer.url }).waitFor();
    expect(await page.getByRole('button', { name: 'Replace credentials' }).count()).toBe(0);
    await noSeriousAxe(page, 'the connector page as a viewer');
    // The server refuses anyway: the viewer's own session, with its CSRF token, cannot start a sync.
    const forged = await page.evaluate<number>(`(async () => {
      const csrf = decodeURIComponent(/(?:^|; )hub_csrf=([^;]*)/.exec(document.cookie)?.[1] ?? '');
      const response = await fetch('/v1/connectors/${connectorId}/syncs', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf }, body: '{}' });
      return response.status;
    })()`);
    expect(forged).toBe(403);
  });
});
