import { parse } from 'csv-parse/sync';
import fs from 'node:fs';
import { type Page } from 'playwright-core';
import { useHub, useStarted } from '../support/harness';
import { seriousAxeViolations, signInThroughPage, useBrowser } from '../support/browser';
import { inviteAndAccept } from '../support/consoleUsers';
import { eventually } from '../support/eventually';
import { usersCsv } from '../support/importFiles';
import { startSmtpCatcher } from '../support/smtpCatcher';

const digits = (text: string | null) => Number((text ?? '').replace(/\D/g, ''));

/** The users table's data rows (the header row left out). */
const tableRows = (page: Page) => page.getByRole('table', { name: 'Users' }).locator('tbody tr');

describe('console: Users screen — search, pages, invite, roles, remove, bulk import, role-aware', () => {
  const smtp = useStarted(startSmtpCatcher, 'the SMTP catcher');
  const { hub, tenants, owner } = useHub({ env: () => ({ SMTP_URL: smtp.url }), tenants: [{}, {}, {}] });
  const browser = useBrowser();

  it('bulk-imports a 1,000-row CSV with 3 bad rows: upload progress, live job, 997 imported, the 3 errors and their report', async () => {
    const tenant = tenants[0];
    const admin = await inviteAndAccept(hub, smtp, tenant, 'admin');
    const page = await browser.newPage(hub);
    await signInThroughPage(page, tenant, admin, '/users');
    await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
    const before = digits(await page.getByTestId('users-total').textContent());

    await page.getByRole('button', { name: 'Import users' }).click();
    await page.getByRole('dialog', { name: 'Import users' }).waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);

    // A slow uplink, so the upload's progress is seen between 0 and 100 %.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: 12 * 1024 });
    const csv = usersCsv(1_000, { bad: new Set([10, 500, 999]), prefix: 'bulk' });
    await page.locator('input[type=file]').setInputFiles({ name: 'people.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    const uploadBar = page.getByRole('progressbar', { name: 'Upload progress' });
    await eventually(
      async () => {
        const value = Number(await uploadBar.getAttribute('aria-valuenow'));
        return value > 0 && value < 100 ? value : undefined;
      },
      20_000,
      'the upload progress between 0 and 100 %',
      20,
    );
    expect(await seriousAxeViolations(page)).toEqual([]);
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await uploadBar.waitFor({ state: 'detached' });

    const dialog = page.getByRole('dialog', { name: 'Import users' });
    await dialog.getByTestId('import-status').filter({ hasText: 'completed with errors' }).waitFor({ timeout: 60_000 });
    expect(await dialog.getByRole('link', { name: /Temporal history/ }).getAttribute('href')).toMatch(/\/workflows\/job/);
    expect(await dialog.getByTestId('import-rows').textContent()).toBe('1,000');
    expect(await dialog.getByTestId('import-imported').textContent()).toBe('997');
    expect(await dialog.getByTestId('import-failed').textContent()).toBe('3');
    const errorRows = dialog.getByRole('table', { name: 'Rows not imported' }).locator('tbody tr');
    expect(await errorRows.count()).toBe(3);
    // Data row n is on line n + 1 (the header is line 1); even bad rows have a bad e-mail, odd ones a bad role.
    expect(await errorRows.locator('td:first-child').allTextContents()).toEqual(['11', '501', '1,000']);
    expect(await errorRows.locator('td:nth-child(2)').allTextContents()).toEqual(['email', 'email', 'role']);
    expect(await seriousAxeViolations(page)).toEqual([]);

    const [download] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('link', { name: /Download the error report/ }).click()]);
    const report = parse(fs.readFileSync((await download.path())!, 'utf8'), { columns: true }) as Array<{ line: string; column: string }>;
    expect(report.map((row) => [row.line, row.column])).toEqual([
      ['11', 'email'],
      ['501', 'email'],
      ['1000', 'role'],
    ]);

    const imported = await owner('users').where({ tenant_id: tenant.id }).whereLike('email', 'bulk%@example.test');
    expect(imported).toHaveLength(997);
    expect(imported.every((user) => user.status === 'invited')).toBe(true);
    expect(imported.map((user) => user.email)).not.toContain('bulk999@example.test');
    expect(imported.map((user) => user.email)).toContain('bulk998@example.test');

    // The table behind the dialog has refreshed.
    await dialog.getByRole('button', { name: 'Close', exact: true }).click();
    await eventually(
      async () => (digits(await page.getByTestId('users-total').textContent()) === before + 997 ? true : undefined),
      10_000,
      'the table to count the imported users',
    );
  });

  it('searches among many users, pages, invites (the e-mail arrives), changes a role, removes, and shows the last-admin refusal', async () => {
    const tenant = tenants[1];
    const at = (index: number) => new Date(Date.UTC(2026, 0, 1) + index * 1_000);
    await owner('users').insert(
      Array.from({ length: 1_200 }, (_, index) => ({
        id: crypto.randomUUID(),
        tenant_id: tenant.id,
        email: `staff${index}@many.test`,
        name: `Staff ${index}`,
        role: 'member',
        status: 'active',
        created_at: at(index),
      })),
    );
    await owner('users').insert({ id: crypto.randomUUID(), tenant_id: tenant.id, email: 'zelda@hidden.test', name: 'Zelda Needleman', role: 'viewer' });
    const admin = await inviteAndAccept(hub, smtp, tenant, 'admin');
    const page = await browser.newPage(hub);
    await signInThroughPage(page, tenant, admin, '/users');
    const table = page.getByRole('table', { name: 'Users' });
    await table.waitFor();
    expect(await tableRows(page).count()).toBe(25);
    const total = digits(await page.getByTestId('users-total').textContent());
    expect(total).toBeGreaterThanOrEqual(1_203);
    expect(await seriousAxeViolations(page)).toEqual([]);

    // Paging: next page shows the next 25 (the server's order) and the address says where we are.
    const firstPageEmails = await tableRows(page).locator('td:nth-child(2)').allTextContents();
    await page.getByRole('button', { name: 'Next page' }).click();
    await table.getByText(/^Users 26–50 of/).waitFor();
    const secondPageEmails = await tableRows(page).locator('td:nth-child(2)').allTextContents();
    expect(secondPageEmails).toHaveLength(25);
    expect(secondPageEmails.filter((email) => firstPageEmails.includes(email))).toEqual([]);
    expect(new URL(page.url()).searchParams.get('page')).toBe('2');

    // Search (debounced, on the server): one user among 1,200, by a fragment of the name, any case.
    await page.getByRole('searchbox', { name: /^Search/ }).fill('NEEDLE');
    await table.getByText('zelda@hidden.test').waitFor();
    expect(await tableRows(page).count()).toBe(1);
    expect(new URL(page.url()).searchParams.get('q')).toBe('NEEDLE');
    expect(new URL(page.url()).searchParams.get('page')).toBeNull();
    await page.getByRole('searchbox', { name: /^Search/ }).fill('no such person at all');
    await page.getByText('No user matches this search').waitFor();
    await page.getByRole('button', { name: 'Clear the search and filters' }).click();
    await table.getByText(/^Users 1–25 of/).waitFor();

    // Invite through the page: the user is created and the SMTP catcher receives the invite.
    await page.getByRole('button', { name: 'Invite user' }).click();
    const invite = page.getByRole('dialog', { name: 'Invite a user' });
    await invite.getByLabel(/^E-mail/).fill('not an address');
    await invite.getByLabel(/^Name/).fill('New Person');
    await invite.getByRole('button', { name: 'Send invite' }).click();
    await invite.getByText(/email/i).and(invite.locator('.mantine-InputWrapper-error')).waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    const email = `new.person.${Math.random().toString(36).slice(2, 8)}@console.test`;
    await invite.getByLabel(/^E-mail/).fill(email);
    await invite.getByLabel(/^Role/).selectOption('manager');
    await invite.getByRole('button', { name: 'Send invite' }).click();
    await page.getByText('Invite sent').waitFor();
    const mail = await smtp.waitFor(email, 'invited');
    expect(mail.text).toContain('#token=');
    expect(await owner('users').where({ tenant_id: tenant.id, email }).first()).toMatchObject({ name: 'New Person', role: 'manager', status: 'invited' });

    // Change the new user's role, then remove them (with confirmation).
    await page.getByRole('searchbox', { name: /^Search/ }).fill(email);
    await table.getByText(email).waitFor();
    await page.getByLabel(`Role of ${email}`).selectOption('viewer');
    await page.getByText(`${email} is now viewer, invited.`).waitFor();
    expect((await owner('users').where({ tenant_id: tenant.id, email }).first()).role).toBe('viewer');
    await page.getByRole('button', { name: `Actions for ${email}` }).click();
    await page.getByRole('menuitem', { name: 'Remove…' }).click();
    const confirm = page.getByRole('dialog', { name: 'Remove user' });
    await confirm.getByRole('button', { name: 'Remove user' }).click();
    await page.getByText('No user matches this search').waitFor();
    expect(await owner('users').where({ tenant_id: tenant.id, email })).toEqual([]);

    // The signed-in admin becomes the only active admin: demoting or removing them is refused, and the page says why.
    await owner('users').where({ tenant_id: tenant.id, role: 'admin' }).whereNot({ id: admin.id }).update({ status: 'suspended' });
    await page.getByRole('searchbox', { name: /^Search/ }).fill(admin.email);
    await table.getByText(admin.email).waitFor();
    await page.getByLabel(`Role of ${admin.email}`).selectOption('manager');
    await page
      .getByRole('alert')
      .filter({ hasText: `${admin.email} is the last active admin` })
      .waitFor();
    expect(await page.getByRole('alert').filter({ hasText: 'LAST_ADMIN' }).count()).toBe(1);
    expect(await page.getByLabel(`Role of ${admin.email}`).inputValue()).toBe('admin');
    await page.getByRole('button', { name: `Actions for ${admin.email}` }).click();
    await page.getByRole('menuitem', { name: 'Remove…' }).click();
    await confirm.getByRole('button', { name: 'Remove user' }).click();
    await confirm.getByRole('alert').filter({ hasText: 'LAST_ADMIN' }).waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect((await owner('users').where({ id: admin.id }).first()).role).toBe('admin');
  });

  it('a viewer sees no mutation controls, and a mutation forged from the viewer’s page is refused with 403', async () => {
    const tenant = tenants[2];
    const viewer = await inviteAndAccept(hub, smtp, tenant, 'viewer');
    const page = await browser.newPage(hub);
    await signInThroughPage(page, tenant, viewer, '/users');
    const table = page.getByRole('table', { name: 'Users' });
    await table.getByText(viewer.email).waitFor();
    for (const name of ['Invite user', 'Import users']) expect(await page.getByRole('button', { name }).count()).toBe(0);
    expect(await table.getByRole('combobox').count()).toBe(0);
    expect(await table.getByRole('button', { name: /^Actions for/ }).count()).toBe(0);
    expect(await seriousAxeViolations(page)).toEqual([]);

    const forged = (await page.evaluate(`(async () => {
      const token = decodeURIComponent(document.cookie.split('; ').find((part) => part.startsWith('hub_csrf=')).slice('hub_csrf='.length));
      const headers = { 'Content-Type': 'application/json', 'X-CSRF-Token': token };
      const create = await fetch('/v1/users', { method: 'POST', headers, body: JSON.stringify({ email: 'forged@console.test', name: 'Forged', role: 'admin' }) });
      const promote = await fetch('/v1/users/${viewer.id}', { method: 'PATCH', headers, body: JSON.stringify({ role: 'admin' }) });
      return [{ status: create.status, body: await create.json() }, { status: promote.status, body: await promote.json() }];
    })()`)) as Array<{ status: number; body: { error: { code: string } } }>;
    expect(forged.map((answer) => [answer.status, answer.body.error.code])).toEqual([
      [403, 'FORBIDDEN'],
      [403, 'FORBIDDEN'],
    ]);
    expect(await owner('users').where({ tenant_id: tenant.id, email: 'forged@console.test' })).toEqual([]);
    expect((await owner('users').where({ id: viewer.id }).first()).role).toBe('viewer');
  });

  // Last in the file: it stops the SMTP catcher.
  it('an invite whose e-mail cannot be sent (503 MAIL_UNAVAILABLE) says the user exists and offers to send it again', async () => {
    const tenant = tenants[2];
    const admin = await inviteAndAccept(hub, smtp, tenant, 'admin');
    await smtp.stop();
    const page = await browser.newPage(hub);
    await signInThroughPage(page, tenant, admin, '/users');
    await page.getByRole('button', { name: 'Invite user' }).click();
    const invite = page.getByRole('dialog', { name: 'Invite a user' });
    const email = `unsent.${Math.random().toString(36).slice(2, 8)}@console.test`;
    await invite.getByLabel(/^E-mail/).fill(email);
    await invite.getByLabel(/^Name/).fill('Not Mailed');
    await invite.getByRole('button', { name: 'Send invite' }).click();
    const refusal = invite.getByRole('alert').filter({ hasText: 'The invite e-mail could not be sent' });
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain(`${email} was added as invited, but no e-mail went out`);
    expect(await refusal.textContent()).toContain('MAIL_UNAVAILABLE');
    expect(await invite.getByRole('button', { name: 'Send the invite again' }).isEnabled()).toBe(true);
    expect(await invite.getByLabel(/^E-mail/).isDisabled()).toBe(true);
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(await owner('users').where({ tenant_id: tenant.id, email }).first()).toMatchObject({ status: 'invited', name: 'Not Mailed' });
    // Sending again does not create a second user: it is the same refusal for the same user.
    await invite.getByRole('button', { name: 'Send the invite again' }).click();
    await refusal.waitFor();
    expect(await owner('users').where({ tenant_id: tenant.id, email })).toHaveLength(1);
  });
});
