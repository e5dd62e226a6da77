import { loadConfig } from '../config';
import { appDatabaseUrl, createDatabase } from '../db';
import { withLocalStackDefaults } from '../local/localStackConfig';
import { runMain } from '../runMain';
import { masterKeyringFromConfig } from './masterKeys';
import { rotateMasterKey } from './rotateMasterKey';

/**
 * `npm run vault:rotate`: re-wraps every tenant's data keys under HUB_MASTER_KEY, unwrapping with
 * the keys in HUB_MASTER_KEY_PREVIOUS. Procedure: set HUB_MASTER_KEY to the new key and
 * HUB_MASTER_KEY_PREVIOUS to the old one (API and worker too, so they keep decrypting meanwhile),
 * run this once, then drop the old key from HUB_MASTER_KEY_PREVIOUS. `--tenant <slug>` (repeatable)
 * limits a run to some tenants.
 */
runMain('vault:rotate', async () => {
  const config = withLocalStackDefaults(loadConfig());
  if (!config.DATABASE_URL && !config.DATABASE_APP_URL) throw new Error('vault:rotate needs DATABASE_URL (or DATABASE_APP_URL) of the hub database');
  const keyring = masterKeyringFromConfig(config);
  const db = createDatabase({ url: appDatabaseUrl(config), poolMax: 2, applicationName: 'hub-vault-rotate' });
  try {
    const tenantSlugs = tenantArguments(process.argv.slice(2));
    const report = await rotateMasterKey(db, keyring, { log: (line) => process.stdout.write(`${line}\n`), tenantSlugs });
    process.stdout.write(`vault:rotate: ${report.rewrapped} data key(s) of ${report.tenants} tenant(s) now wrapped by ${report.masterKeyId}\n`);
  } finally {
    await db.close();
  }
});

function tenantArguments(args: string[]): string[] | undefined {
  const slugs: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    if (args[index] === '--tenant' && args[index + 1]) slugs.push(args[(index += 1)]!);
    else throw new Error(`unknown argument ${args[index]} (usage: npm run vault:rotate [-- --tenant <slug> …])`);
  }
  return slugs.length > 0 ? slugs : undefined;
}
