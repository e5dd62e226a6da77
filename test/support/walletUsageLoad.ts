/**
 * A second (and third) process recording usage at once, as API replicas and workers do: records
 * `count` scan events of one tenant, `lanes` transactions at a time, each with its own dedupe
 * key, then charges the tenant's pending auto-recharges. Run by the wallet test as a child
 * process: `walletUsageLoad.ts <tenantId> <count> <keyPrefix> <lanes>`; prints one JSON line.
 */
import { createBillingStripe } from '../../platform/billing/stripeClient';
import { chargePendingRecharges } from '../../platform/billing/walletRecharges';
import { loadConfig } from '../../platform/config';
import { appDatabaseUrl, createDatabase } from '../../platform/db';
import { createLogger } from '../../platform/logger';
import { recordUsage } from '../../platform/metering/recordUsage';

async function main(): Promise<void> {
  const [tenantId, countText, prefix, lanesText] = process.argv.slice(2) as [string, string, string, string];
  const config = loadConfig();
  const logger = createLogger({ name: 'wallet-load', level: 'warn' });
  const db = createDatabase({ url: appDatabaseUrl(config), poolMax: Number(lanesText) + 2, applicationName: 'hub-wallet-load', logger });
  const count = Number(countText);
  let next = 0;
  const lanes = Array.from({ length: Number(lanesText) }, async () => {
    for (let index = next++; index < count; index = next++) {
      await recordUsage(db, { tenantId, kind: 'scan', quantity: 1, dedupeKey: `${prefix}:${index}` });
    }
  });
  await Promise.all(lanes);
  const stripe = createBillingStripe(config);
  const charged = await chargePendingRecharges(db, () => stripe, tenantId, logger);
  process.stdout.write(`${JSON.stringify({ recorded: count, charged })}\n`);
  await db.close();
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
