import { randomUUID } from 'node:crypto';
import { withConnector } from '../../activities/connectors/connectorRuntime';
import { createTenantActivities } from '../../activities/tenants/createTenantActivities';
import { loadConfig } from '../../platform/config';
import { sealConnectorCredentials } from '../../platform/connectorStore';
import { appDatabaseUrl, createDatabase } from '../../platform/db';
import { createLogger } from '../../platform/logger';
import { masterKeyringFromConfig } from '../../platform/vault/masterKeys';
import { createVault } from '../../platform/vault/vault';
import { startSalesforcePeer } from '../../test/peers/salesforce/salesforcePeer';
import { type Benchmark } from '../harness';

const RECORDS = 50_000;
const PAGE = 2_000;

/**
 * Salesforce read throughput: 50,000 Accounts in pages of 2,000 through the connector runtime
 * (row load + credential decryption per page, jsforce over the guarded transport, cursor keyset),
 * against the same SOQL query and locator pages fetched and parsed with plain fetch.
 * The sync engine's end-to-end target is ≥ 10,000 records/s; reading must leave room for writing.
 */
export const salesforceRead: Benchmark = {
  name: 'salesforceRead',
  description: `${RECORDS.toLocaleString('en')} Salesforce Accounts, pages of ${PAGE}: connector runtime vs plain fetch of the same pages`,
  async run(context) {
    const config = loadConfig({ ...context.env, HUB_ALLOW_PRIVATE_NETWORK: 'true', LOG_LEVEL: 'silent' });
    const db = createDatabase({ url: appDatabaseUrl(config), poolMax: 4, applicationName: 'bench-salesforce' });
    const vault = createVault(masterKeyringFromConfig(config));
    const logger = createLogger({ name: 'bench', level: 'silent' });
    const peer = await startSalesforcePeer({ port: 0, records: { Account: RECORDS, Contact: 0, Opportunity: 0 } });
    try {
      const token = peer.issueAccessToken();
      const tenantId = randomUUID();
      const slug = `bench-sf-${Date.now().toString(36)}`;
      await createTenantActivities({ db }).createTenantRecord({
        tenantId,
        slug,
        name: slug,
        plan: 'enterprise',
        adminUserId: randomUUID(),
        adminEmail: `admin@${slug}.test`,
      });
      const connectorId = randomUUID();
      await db.withTenant(tenantId, async (trx) => {
        const sealed = await sealConnectorCredentials(trx, vault, tenantId, connectorId, { accessToken: token });
        await trx('connectors').insert({
          id: connectorId,
          tenant_id: tenantId,
          type: 'salesforce',
          name: 'bench',
          config: JSON.stringify({ instanceUrl: peer.url, loginUrl: peer.url, apiVersion: '62.0' }),
          ...sealed,
        });
      });

      // Baseline: the same query and locator pages, plain fetch + JSON.parse.
      const fields = 'Id, IsDeleted, CreatedDate, LastModifiedDate, SystemModstamp, Name, Industry, AnnualRevenue, NumberOfEmployees, External_Id__c';
      const baselineStarted = performance.now();
      let baselineRecords = 0;
      let next: string | undefined = `/services/data/v62.0/query?q=${encodeURIComponent(`SELECT ${fields} FROM Account ORDER BY SystemModstamp, Id`)}`;
      while (next) {
        const response = await fetch(`${peer.url}${next}`, { headers: { Authorization: `Bearer ${token}`, 'Sforce-Query-Options': `batchSize=${PAGE}` } });
        const page = (await response.json()) as { records: unknown[]; nextRecordsUrl?: string };
        baselineRecords += page.records.length;
        next = page.nextRecordsUrl;
      }
      const baselineSeconds = (performance.now() - baselineStarted) / 1000;

      context.log('salesforceRead: connector runtime');
      const started = performance.now();
      let records = 0;
      let pages = 0;
      let cursor: string | null = null;
      for (;;) {
        const page = await withConnector({ config, db, logger, vault }, { tenantId, connectorId }, ({ instance }) =>
          instance.readPage('Account', cursor, PAGE),
        );
        records += page.records.length;
        pages += 1;
        cursor = page.nextCursor;
        if (page.done) break;
      }
      const seconds = (performance.now() - started) / 1000;
      if (records !== RECORDS || baselineRecords !== RECORDS) throw new Error(`read ${records} (baseline ${baselineRecords}) of ${RECORDS}`);
      return {
        measurements: [
          {
            label: 'plain fetch of the pages',
            metrics: {
              records: baselineRecords,
              'records/s': baselineRecords / baselineSeconds,
              seconds: baselineSeconds,
              pages: Math.ceil(baselineRecords / PAGE),
            },
          },
          { label: 'connector runtime readPage', metrics: { records, 'records/s': records / seconds, seconds, pages } },
        ],
        ratios: [{ name: 'connector / plain fetch throughput', value: records / seconds / (baselineRecords / baselineSeconds) }],
        notes: [
          'peer, connector and database share this process and machine; each runtime page re-loads the connector row and decrypts its credentials, as an activity does',
        ],
      };
    } finally {
      await peer.stop();
      await db.close();
    }
  },
};
