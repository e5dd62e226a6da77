import { verifyAllAuditChains } from './auditChain';
import { loadConfig } from './config';
import { appDatabaseUrl, createDatabase } from './db';
import { withLocalStackDefaults } from './local/localStackConfig';
import { runMain } from './runMain';

/**
 * `npm run audit:verify [slug …]`: recomputes every tenant's audit hash chain (or the named
 * tenants') and exits 1 naming each tampered, relinked or missing row. Prints each chain's head hash
 * so it can be anchored outside the database.
 */
runMain('audit:verify', async () => {
  const config = withLocalStackDefaults(loadConfig());
  const slugs = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
  const db = createDatabase({ url: appDatabaseUrl(config), poolMax: 2, applicationName: 'hub-audit-verify' });
  try {
    const reports = await verifyAllAuditChains(db, slugs);
    const missing = slugs.filter((slug) => !reports.some((report) => report.slug === slug));
    if (missing.length > 0) throw new Error(`no tenant with slug ${missing.join(', ')}`);
    let broken = 0;
    for (const report of reports) {
      if (report.breaks.length === 0) {
        process.stdout.write(`ok       ${report.slug}: ${report.rows} rows, head ${report.head ?? '-'}\n`);
        continue;
      }
      broken += 1;
      for (const problem of report.breaks) process.stdout.write(`TAMPERED ${report.slug}: seq ${problem.seq} (${problem.problem}): ${problem.message}\n`);
    }
    process.stdout.write(`${reports.length} tenant(s) checked, ${broken} with a broken chain\n`);
    if (broken > 0) process.exitCode = 1;
  } finally {
    await db.close();
  }
});
