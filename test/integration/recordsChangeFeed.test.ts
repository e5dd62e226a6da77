import { randomUUID } from 'node:crypto';
import { lockChangeSequence, storePage } from '../../activities/sync/recordsStore';
import { type ConnectorRecord } from '../../connectors/types';
import { registerConnector } from '../support/connectors';
import { startTestHub, type CreatedTenant, type TestHub } from '../support/hub';
import { readChanges, type RecordChange } from '../support/syncs';

/**
 * The change feed never skips a change, although Postgres sequences hand out numbers in draw order
 * and transactions commit in any order. Writers take the tenant's change-sequence lock before
 * drawing numbers and hold it to commit, so a tenant's changes commit in sequence order.
 */
describe('records change feed: GET /v1/records', () => {
  let hub: TestHub;
  let tenant: CreatedTenant;
  let connectorId: string;

  beforeAll(async () => {
    hub = await startTestHub();
    tenant = await hub.createTenant();
    connectorId = await registerConnector(hub, tenant, { type: 'salesforce', config: { instanceUrl: 'http://127.0.0.1:9' }, credentials: { accessToken: 'unused' } });
  });
  afterAll(() => hub.stop());

  const record = (id: string, version: number): ConnectorRecord => ({ externalId: id, sourceUpdatedAt: new Date().toISOString(), data: { Id: id, version } });
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  /**
   * Writer A draws a sequence number and commits late; writer B starts after A drew and commits at
   * once; a consumer polls in between. Returns what the consumer saw in total.
   */
  async function interleave(stream: string, withLock: boolean): Promise<RecordChange[]> {
    const start = await readChanges(hub, tenant, { connectorId, stream });
    let drawn!: () => void;
    const aDrew = new Promise<void>((resolve) => (drawn = resolve));
    const target = { tenantId: tenant.id, connectorId, stream, runId: randomUUID(), fullRefresh: false };
    const writerA = hub.db.withTenant(tenant.id, async (trx) => {
      if (withLock) await lockChangeSequence(trx, tenant.id);
      await storePage(trx, target, [record('a', 1)]);
      drawn();
      await sleep(800);
    });
    await aDrew;
    const writerB = hub.db.withTenant(tenant.id, async (trx) => {
      if (withLock) await lockChangeSequence(trx, tenant.id);
      await storePage(trx, target, [record('b', 1)]);
    });
    await sleep(300);
    const during = await readChanges(hub, tenant, { connectorId, stream, cursor: start.cursor });
    await Promise.all([writerA, writerB]);
    const after = await readChanges(hub, tenant, { connectorId, stream, cursor: during.cursor });
    return [...during.changes, ...after.changes];
  }

  it('without the lock a consumer can skip a change that commits late (the hazard)', async () => {
    const seen = await interleave('Unlocked', false);
    expect(seen.map((change) => change.externalId)).toEqual(['b']);
  });

  it('with the lock every change reaches the consumer, in commit order', async () => {
    const seen = await interleave('Locked', true);
    expect(seen.map((change) => change.externalId)).toEqual(['a', 'b']);
  });

  it('under concurrent writers, a polling consumer ends with every record at its latest version', async () => {
    const ids = Array.from({ length: 40 }, (_, index) => `r${index}`);
    const latest = new Map<string, number>();
    let done = false;
    const writer = async (lane: number) => {
      for (let round = 1; round <= 12; round += 1) {
        const mine = ids.filter((_, index) => index % 4 === lane || (index + round) % 7 === 0);
        await hub.db.withTenant(tenant.id, async (trx) => {
          await lockChangeSequence(trx, tenant.id);
          const version = lane * 100 + round;
          await storePage(trx, { tenantId: tenant.id, connectorId, stream: 'Busy', runId: randomUUID(), fullRefresh: false }, mine.map((id) => record(id, version)));
          await sleep(Math.floor(Math.random() * 20));
          for (const id of mine) latest.set(id, version);
        });
      }
    };
    const consumer = async () => {
      const view = new Map<string, unknown>();
      let cursor: string | undefined;
      for (;;) {
        const finished = done;
        const page = await readChanges(hub, tenant, { connectorId, stream: 'Busy', cursor, limit: 7 });
        for (const change of page.changes) view.set(change.externalId, change.data.version);
        cursor = page.cursor;
        if (finished) return view;
        await sleep(5);
      }
    };
    const consuming = consumer();
    await Promise.all([0, 1, 2, 3].map(writer));
    done = true;
    const view = await consuming;
    expect(Object.fromEntries(view)).toEqual(Object.fromEntries(latest));
  });

  it('refuses cursors it did not write', async () => {
    const response = await hub.request('GET', '/v1/records?cursor=bm90LWEtY3Vyc29y', { key: tenant.key });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('INVALID_CURSOR');
  });
});
