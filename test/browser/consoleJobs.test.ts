import { type Page } from 'playwright-core';
import { useHub, useStarted } from '../support/harness';
import { seriousAxeViolations, signInThroughPage, useBrowser } from '../support/browser';
import { inviteAndAccept, type ConsoleUser } from '../support/consoleUsers';
import { finishedJob, jobWhen, startJobVia } from '../support/jobs';
import { pauseSignal } from '../../workflows/contracts';
import { startSmtpCatcher } from '../support/smtpCatcher';

/** The Bulk jobs screen in a real browser: start jobs through its forms, follow them live, download, read reports. */
describe('console: bulk jobs', () => {
  const smtp = useStarted(startSmtpCatcher, 'the SMTP catcher');
  const { hub, tenant, owner } = useHub({ env: () => ({ SMTP_URL: smtp.url }), tenants: [{}] });
  const browser = useBrowser();
  let admin: ConsoleUser;

  beforeAll(async () => {
    admin = await inviteAndAccept(hub, smtp, tenant, 'admin');
  });

  async function adminOnJobs(): Promise<Page> {
    const page = await browser.newPage(hub);
    await signInThroughPage(page, tenant, admin, '/jobs');
    await page.getByRole('heading', { name: 'Bulk jobs', level: 1 }).waitFor();
    return page;
  }

  async function openStartForm(page: Page, kind: string) {
    await page.getByRole('button', { name: 'Start a job' }).click();
    await page.getByRole('menuitem', { name: kind, exact: true }).click();
    const dialog = page.getByRole('dialog', { name: `Start: ${kind}` });
    await dialog.waitFor();
    return dialog;
  }

  /** The id of the newest job in the table (the list is newest first). */
  async function newestJobId(page: Page): Promise<string> {
    const row = page.locator('[data-testid^="job-row-"]').first();
    await row.waitFor();
    return (await row.getAttribute('data-testid'))!.replace('job-row-', '');
  }

  it('starts a users export through the page, shows its progress to the end and downloads the CSV', async () => {
    const page = await adminOnJobs();
    await page.getByText('No jobs yet').waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);

    const form = await openStartForm(page, 'Export');
    // The options come from the schema's enums: every dataset and format the API offers.
    await form
      .getByLabel(/^Format/)
      .first()
      .click();
    for (const format of ['CSV', 'JSON', 'NDJSON', 'XML', 'Excel (XLSX)', 'PDF']) await page.getByRole('option', { name: format, exact: true }).waitFor();
    await page.getByRole('option', { name: 'CSV', exact: true }).click();
    expect(await seriousAxeViolations(page)).toEqual([]);
    await form.getByRole('button', { name: 'Start export' }).click();
    await form.waitFor({ state: 'hidden' });

    const jobId = await newestJobId(page);
    const row = page.getByTestId(`job-row-${jobId}`);
    await page.locator(`[data-testid="job-row-${jobId}"][data-status="completed"]`).waitFor({ timeout: 60_000 });
    const progress = await page.getByTestId(`job-progress-${jobId}`).textContent();
    const [done, total] = /^([\d,.\s]+) of ([\d,.\s]+)$/
      .exec(progress!)!
      .slice(1)
      .map((figure) => Number(figure.replace(/\D/g, '')));
    expect(done).toBe(total);
    expect(total).toBeGreaterThanOrEqual(1);
    expect(await row.getByRole('link', { name: /Temporal/ }).getAttribute('href')).toContain(encodeURIComponent(`job/${tenant.slug}/export/${jobId}`));

    const [download] = await Promise.all([page.waitForEvent('download'), row.getByRole('link', { name: `Download the output of job ${jobId}` }).click()]);
    expect(download.suggestedFilename()).toMatch(/\.csv$/);
    const stream = await download.createReadStream();
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    const csv = Buffer.concat(chunks).toString('utf8');
    const [header, ...lines] = csv.trim().split(/\r?\n/);
    expect(header).toContain('email');
    expect(lines).toHaveLength(total!);
    expect(csv).toContain(admin.email);
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it('uploads a legacy file, runs a migration dry run and shows its invalid rows by line and column', async () => {
    const page = await adminOnJobs();
    const form = await openStartForm(page, 'Migration');
    const legacy = [
      'E-mail,Full Name,Access',
      'one@legacy.test,One,member',
      'not-an-email,Someone,member',
      'two@legacy.test,Two,overlord',
      'three@legacy.test,Three,viewer',
    ].join('\n');
    await form.locator('input[type="file"]').setInputFiles({ name: 'legacy.csv', mimeType: 'text/csv', buffer: Buffer.from(legacy) });
    await form.getByTestId('upload-done').waitFor();
    await form.getByLabel('Target field 1').fill('email');
    await form.getByLabel('Source column 1').fill('E-mail');
    await form.getByLabel('Target field 2').fill('name');
    await form.getByLabel('Source column 2').fill('Full Name');
    await form.getByRole('button', { name: 'Add a field' }).click();
    await form.getByLabel('Target field 3').fill('role');
    await form.getByLabel('Source column 3').fill('Access');
    expect(await form.getByRole('checkbox', { name: /Dry run/ }).isChecked()).toBe(true);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await form.getByRole('button', { name: 'Start dry run' }).click();
    await form.waitFor({ state: 'hidden' });

    const jobId = await newestJobId(page);
    await page.locator(`[data-testid="job-row-${jobId}"][data-status="completed"]`).waitFor({ timeout: 60_000 });
    await page.getByRole('button', { name: `Report of job ${jobId}` }).click();
    const report = page.getByRole('dialog', { name: 'Migration (dry run) report' });
    await report.waitFor();
    const table = report.getByRole('table', { name: 'Row errors' });
    const rows = table.locator('tbody tr');
    const cells: string[][] = [];
    for (let index = 0; index < (await rows.count()); index += 1) cells.push(await rows.nth(index).locator('td').allTextContents());
    expect(cells).toEqual([
      ['3', 'E-mail', expect.stringContaining('email')],
      ['4', 'Access', expect.stringContaining('role')],
    ]);
    await report.getByText('invalid: 2').waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    // A dry run writes nothing.
    const users = await hub.request('GET', '/v1/users?limit=100', { key: tenant.key });
    expect(users.status).toBe(200);
    expect((users.body.data as Array<{ email: string }>).filter((user) => user.email.endsWith('@legacy.test'))).toEqual([]);
  });

  it('a restore starts only once the organisation slug is typed', async () => {
    const backup = await finishedJob(hub, tenant, (await startJobVia(hub, tenant, 'backup', {})).id);
    expect(backup.status).toBe('completed');
    const page = await adminOnJobs();
    const form = await openStartForm(page, 'Restore');
    await form
      .getByLabel(/^Backup/)
      .first()
      .click();
    await page.getByRole('option').first().click();
    const restore = form.getByRole('button', { name: 'Restore backup' });
    expect(await restore.isDisabled()).toBe(true);
    await form.getByLabel(/^Type the organisation's slug/).fill(`${tenant.slug}-not`);
    await form.getByText(`Does not match the slug: type ${tenant.slug}`).waitFor();
    expect(await restore.isDisabled()).toBe(true);
    expect(await seriousAxeViolations(page)).toEqual([]);
    await form.getByLabel(/^Type the organisation's slug/).fill(tenant.slug);
    await form.getByText('Confirmed', { exact: true }).waitFor();
    expect(await restore.isEnabled()).toBe(true);
  });

  it('cancels a paused export after confirming', async () => {
    // Enough rows for several export chunks, so the job is still going when it is paused (as exportJobs.test.ts does).
    const bulk = await hub.createTenant({ plan: 'enterprise' });
    await owner.raw(
      `insert into users (id, tenant_id, email, name, role) select gen_random_uuid(), ?, 'bulk' || n || '@example.test', 'Bulk ' || n, 'viewer' from generate_series(1, 160000) n`,
      [bulk.id],
    );
    const bulkAdmin = await inviteAndAccept(hub, smtp, bulk, 'admin');
    const started = await startJobVia(hub, bulk, 'export', { dataset: 'users', format: 'ndjson' });
    await hub.temporal.workflow.getHandle(started.workflowId).signal(pauseSignal);
    await jobWhen(hub, bulk, started.id, (job) => job.status === 'paused', 'the export to pause');

    const page = await browser.newPage(hub);
    await signInThroughPage(page, bulk, bulkAdmin, '/jobs');
    await page.locator(`[data-testid="job-row-${started.id}"][data-status="paused"]`).waitFor();
    await page.getByRole('button', { name: `Cancel job ${started.id}` }).click();
    const dialog = page.getByRole('dialog', { name: 'Cancel this job?' });
    await dialog.getByRole('button', { name: 'Keep running' }).waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    await dialog.getByRole('button', { name: 'Cancel job' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await page.locator(`[data-testid="job-row-${started.id}"][data-status="cancelled"]`).waitFor({ timeout: 60_000 });
    expect(await page.getByRole('button', { name: `Cancel job ${started.id}` }).count()).toBe(0);
    expect(await page.getByRole('link', { name: `Download the output of job ${started.id}` }).count()).toBe(0);
    expect((await hub.request('GET', `/v1/jobs/${started.id}`, { key: bulk.key })).body.job.status).toBe('cancelled');
  });

  it('a viewer sees the jobs but none of the controls that change them', async () => {
    await startJobVia(hub, tenant, 'backup', {});
    const viewer = await inviteAndAccept(hub, smtp, tenant, 'viewer');
    const page = await browser.newPage(hub);
    await signInThroughPage(page, tenant, viewer, '/jobs');
    await page.getByRole('table', { name: 'Bulk jobs' }).waitFor();
    await page.locator('[data-testid^="job-row-"]').first().waitFor();
    expect(await page.getByRole('button', { name: 'Start a job' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: /^Download/ }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /^Cancel job/ }).count()).toBe(0);
    expect(await seriousAxeViolations(page)).toEqual([]);
  });
});
