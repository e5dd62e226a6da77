import path from 'node:path';
import { startSalesforcePeer } from '../../peers/salesforce/salesforcePeer';
import { startStripePeer } from '../../peers/stripe/stripePeer';
import { addUsers, billingEnv, billingRunFinished, recordUsageEvents, startBillingRun } from '../../support/billing';
import { signInThroughPage, useBrowser } from '../../support/browser';
import { registerSalesforceConnector } from '../../support/connectorFactories';
import { inviteAndAccept } from '../../support/consoleUsers';
import { useHub, useStarted } from '../../support/harness';
import { finishedJob, startJobVia } from '../../support/jobs';
import { startSync } from '../../support/syncs';
import { startSmtpCatcher } from '../../support/smtpCatcher';
import { createKey } from '../../support/tenantKeys';
import { startWebhookReceiver } from '../../support/webhookReceiver';
import { periodOf } from '../../../platform/billing/periods';

const OUTPUT = path.resolve(__dirname, '..', '..', '..', 'docs', 'console');

/**
 * `npm run console:screenshots`: seeds a tenant with users, a synced Salesforce connector, usage,
 * jobs, a webhook with deliveries, API keys and an invoice, then saves a screenshot of every
 * console screen under docs/console/ (shown in the README). Not part of `npm test`: it only
 * refreshes pictures.
 */
describe('console screenshots', () => {
  const smtp = useStarted(startSmtpCatcher, 'the SMTP catcher');
  const stripe = useStarted(() => startStripePeer({ port: 0 }));
  const salesforce = useStarted(() => startSalesforcePeer({ port: 0, records: { Account: 240, Contact: 120, Opportunity: 60 } }));
  const receiver = useStarted(() => startWebhookReceiver());
  const { hub, tenant } = useHub({
    env: () => ({ SMTP_URL: smtp.url, ...billingEnv(stripe) }),
    tenants: [{ name: 'Northwind Health', slug: 'northwind', plan: 'professional' }],
  });
  const browser = useBrowser();

  it('captures every screen', async () => {
    const admin = await inviteAndAccept(hub, smtp, tenant, 'admin');
    await addUsers(tenant.id, 37, 'active');
    await addUsers(tenant.id, 4, 'invited');
    const day = 24 * 3600_000;
    const now = Date.now();
    await recordUsageEvents(
      hub,
      tenant.id,
      Array.from({ length: 30 }, (_, index) => [
        { kind: 'api_call', quantity: 800 + Math.round(400 * Math.sin(index / 3)) + index * 20, occurredAt: new Date(now - (29 - index) * day) },
        { kind: 'records_synced', quantity: 2_000 + index * 150, occurredAt: new Date(now - (29 - index) * day) },
      ]).flat(),
    );
    const webhook = await hub.request('POST', '/v1/webhooks', {
      key: tenant.key,
      body: { url: receiver.url, events: ['sync.completed', 'job.completed', 'invoice.created'] },
    });
    if (webhook.status !== 201) throw new Error(`webhook: ${webhook.status} ${webhook.text}`);
    await hub.request('POST', '/v1/users', { key: tenant.key, body: { email: 'grace@northwind.test', name: 'Grace Hopper', role: 'manager' } });
    const connectorId = await registerSalesforceConnector(hub, tenant, salesforce, { name: 'Salesforce (production org)' });
    await finishedJob(hub, tenant, (await startSync(hub, tenant, connectorId)).id);
    await finishedJob(hub, tenant, (await startJobVia(hub, tenant, 'export', { dataset: 'users', format: 'csv' })).id);
    await createKey(hub, tenant, 'member', { name: 'ETL pipeline' });
    await createKey(hub, tenant, 'viewer', { name: 'BI dashboard (read only)' });
    const run = await startBillingRun(hub, periodOf(new Date()), [tenant.id]);
    await billingRunFinished(hub, run.id);

    const page = await browser.newPage(hub);
    await signInThroughPage(page, tenant, admin);
    const screens: Array<[file: string, consolePath: string]> = [
      ['dashboard', '/'],
      ['users', '/users'],
      ['integrations', '/integrations'],
      ['integration', `/integrations/${connectorId}`],
      ['jobs', '/jobs'],
      ['webhooks', '/webhooks'],
      ['api-keys', '/api-keys'],
      ['audit-log', '/audit'],
      ['invoices', '/invoices'],
      ['settings', '/settings'],
      ['white-label', '/branding'],
      ['account', '/account'],
    ];
    for (const [file, consolePath] of screens) {
      await page.goto(`/console${consolePath === '/' ? '/' : consolePath}`);
      await page.getByRole('heading', { level: 1 }).first().waitFor();
      await page.waitForLoadState('networkidle');
      await page.waitForTimeout(400);
      await page.screenshot({ path: path.join(OUTPUT, `${file}.png`), fullPage: false });
    }

    // Two-factor enrolment, at the step that shows the QR code.
    await page.goto('/console/mfa/enrol?next=/account');
    await page.getByRole('button', { name: 'Start setup' }).click();
    await page.getByRole('img').first().waitFor();
    await page.screenshot({ path: path.join(OUTPUT, 'mfa-enrolment.png') });

    // The operator's part, signed in with the admin token.
    const operator = await browser.newPage(hub);
    await operator.goto('/console/operator');
    await operator.getByLabel(/^Admin token/).fill(hub.adminToken);
    await operator.getByRole('button', { name: 'Sign in as operator' }).click();
    await operator.getByRole('table').first().waitFor();
    await operator.waitForLoadState('networkidle');
    await operator.waitForTimeout(400);
    await operator.screenshot({ path: path.join(OUTPUT, 'operator.png') });

    const signedOut = await browser.newPage(hub);
    await signedOut.goto(`/console/sign-in?tenant=${tenant.slug}`);
    await signedOut.getByRole('heading', { name: 'Sign in' }).waitFor();
    await signedOut.screenshot({ path: path.join(OUTPUT, 'sign-in.png') });
  });
});
