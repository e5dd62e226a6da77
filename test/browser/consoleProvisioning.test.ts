import { type Page } from 'playwright-core';
import { seriousAxeViolations, signInThroughPage, useBrowser, webStorage } from '../support/browser';
import { inviteAndAccept, type ConsoleUser } from '../support/consoleUsers';
import { useHub, useStarted } from '../support/harness';
import { scimClient, USER_SCHEMA } from '../support/scimClient';
import { startSmtpCatcher } from '../support/smtpCatcher';

/** The Provisioning (SCIM) screen in a real browser: token shown once, rotation and revocation, and the identity provider's requests. */
describe('console: provisioning (SCIM)', () => {
  const smtp = useStarted(startSmtpCatcher, 'the SMTP catcher');
  const { hub, tenant } = useHub({ env: () => ({ SMTP_URL: smtp.url }), tenants: [{}] });
  const browser = useBrowser();
  let admin: ConsoleUser;

  beforeAll(async () => {
    admin = await inviteAndAccept(hub, smtp, tenant, 'admin');
  });

  async function signedIn(user: ConsoleUser): Promise<Page> {
    const page = await browser.newPage(hub);
    await signInThroughPage(page, tenant, user, '/provisioning');
    await page.getByRole('heading', { name: 'Provisioning (SCIM)', level: 1 }).waitFor();
    return page;
  }

  it('creates the token (shown once), lists the identity provider’s requests, rotates and revokes it', async () => {
    const page = await signedIn(admin);
    expect(await page.getByRole('textbox', { name: 'SCIM base URL' }).inputValue()).toBe(`${hub.url}/scim/v2`);
    await page.getByText('No SCIM token yet').waitFor();
    await page.getByText('No SCIM requests yet').waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Create token' }).click();
    const secret = (await page.getByTestId('secret-once').textContent())!;
    expect(secret).toMatch(/^hub_scim_/);
    await page
      .getByTestId('scim-token-status')
      .filter({ hasText: secret.slice(-4) })
      .waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(Object.values(await webStorage(page)).join('\n')).not.toContain(secret);

    // The identity provider uses it: a user is provisioned, and a stale token is refused.
    const email = `provisioned-${Date.now()}@idp.test`;
    const created = await scimClient(hub, secret)('POST', '/Users', { schemas: [USER_SCHEMA], userName: email, emails: [{ value: email, primary: true }] });
    expect(created.status).toBe(201);
    const wrong = `${secret.slice(0, -4)}AAAA`;
    expect((await scimClient(hub, wrong)('GET', '/Users')).status).toBe(401);

    await page.getByRole('button', { name: 'Done' }).click();
    expect(await page.getByTestId('secret-once').count()).toBe(0);
    await page.reload();
    const table = page.getByRole('table', { name: 'Recent SCIM requests' });
    await table.getByRole('row').filter({ hasText: 'POST' }).filter({ hasText: '/scim/v2/Users' }).filter({ hasText: '201' }).waitFor();
    await table.getByRole('row').filter({ hasText: 'GET' }).filter({ hasText: '401' }).waitFor();
    expect(await page.content()).not.toContain(secret);
    expect(await seriousAxeViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'Rotate token' }).click();
    const rotate = page.getByRole('dialog', { name: 'Rotate the SCIM token?' });
    await rotate.getByText(secret.slice(-4)).waitFor();
    expect(await seriousAxeViolations(page)).toEqual([]);
    await rotate.getByRole('button', { name: 'Rotate token' }).click();
    await rotate.waitFor({ state: 'hidden' });
    const rotated = (await page.getByTestId('secret-once').textContent())!;
    expect(rotated).toMatch(/^hub_scim_/);
    expect(rotated).not.toBe(secret);
    expect((await scimClient(hub, secret)('GET', '/Users')).status).toBe(401);
    expect((await scimClient(hub, rotated)('GET', '/Users')).status).toBe(200);

    await page.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('button', { name: 'Revoke token' }).click();
    const revoke = page.getByRole('dialog', { name: 'Revoke the SCIM token?' });
    await revoke.getByRole('button', { name: 'Revoke token' }).click();
    await revoke.waitFor({ state: 'hidden' });
    await page.getByText('No SCIM token yet').waitFor();
    expect((await scimClient(hub, rotated)('GET', '/Users')).status).toBe(401);
    expect(await seriousAxeViolations(page)).toEqual([]);
  });

  it('is for admins: a manager sees no navigation entry and a note instead of the token', async () => {
    const manager = await inviteAndAccept(hub, smtp, tenant, 'manager');
    const page = await signedIn(manager);
    await page.getByText('Provisioning is for admins').waitFor();
    expect(await page.getByRole('navigation', { name: 'Console' }).getByRole('link', { name: 'Provisioning (SCIM)' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Create token' }).count()).toBe(0);
    expect(await seriousAxeViolations(page)).toEqual([]);
  });
});
