import { randomUUID } from 'node:crypto';
import { storePage } from '../../activities/sync/recordsStore';
import { type ConnectorRecord } from '../../connectors/types';
import { registerConnector } from '../support/connectors';
import { useHub } from '../support/harness';
import { readChanges } from '../support/syncs';

/**
 * The change feed never skips a change, although sequences hand out numbers in draw order and
 * transactions commit in any order: it orders by (transaction id, sequence) and shows only
 * transactions older than the oldest one still running, so whatever commits later sorts after
 * what a consumer has already seen. Writers never wait for each other.
 */
describe('records change feed: GET /v1/records', () => {
  const { hub, tenant, owner } = useHub({ tenants: [{}] });
  let connectorId: string;

  beforeAll(async () => {
    connectorId = await registerConnector(hub, tenant, {
      type: 'salesforce',
      config: { instanceUrl: 'http://127.0.0.1:9' },
      credentials: { accessToken: 'unused' },
    });
  });

  const record = (id: string, version: number): ConnectorRecord => ({ externalId: id, sourceUpdatedAt: new Date().toISOString(), data: { Id: id, version } });
  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const write = (stream: string, records: ConnectorRecord[], holdMs = 0, drew?: () => void) =>
    hub.db.withTenant(tenant.id, async (trx) => {
      await storePage(trx, { tenantId: tenant.id, connectorId, stream, runId: randomUUID(), fullRefresh: false }, records);
      drew?.();
      if (holdMs > 0) await sleep(holdMs);
    });

  /**
   * Writer A draws its sequence number first but commits late; writer B draws after it and
   * commits at once; a consumer reads in between and again after both committed.
   */
  async function lateCommit(stream: string, read: (after: string | undefined) => Promise<{ ids: string[]; cursor: string | undefined }>) {
    const start = await read(undefined);
    let drew!: () => void;
    const aDrew = new Promise<void>((resolve) => (drew = resolve));
    const writerA = write(stream, [record('a', 1)], 800, drew);
    await aDrew;
    await write(stream, [record('b', 1)]);
    const during = await read(start.cursor);
    await writerA;
    const after = await read(during.cursor);
    return [...during.ids, ...after.ids];
  }

  it('a naive consumer ordering by the sequence alone skips the change that commits late (the hazard)', async () => {
    const naive = async (after: string | undefined) => {
      const rows = await owner('records')
        .where({ connector_id: connectorId, stream: 'Naive' })
        .where('change_seq', '>', after ?? '0')
        .orderBy('change_seq');
      return { ids: rows.map((row) => row.external_id as string), cursor: rows.at(-1)?.change_seq ?? after };
    };
    expect(await lateCommit('Naive', naive)).toEqual(['b']);
  });

  it('the feed holds back changes of younger transactions until the older ones finish: nothing is skipped', async () => {
    const feed = async (after: string | undefined) => {
      const page = await readChanges(hub, tenant, { connectorId, stream: 'Feed', cursor: after });
      return { ids: page.changes.map((change) => change.externalId), cursor: page.cursor };
    };
    expect(await lateCommit('Feed', feed)).toEqual(['a', 'b']);
  });

  it('under concurrent writers, a polling consumer ends with every record at its latest version', async () => {
    const ids = Array.from({ length: 40 }, (_, index) => `r${index}`);
    let done = false;
    const writer = async (lane: number) => {
      for (let round = 1; round <= 12; round += 1) {
        // Each lane owns its records (a stream has one writer at a time), in pages of uneven length.
        const mine = ids.filter((_, index) => index % 4 === lane && (index + round) % 3 !== 0);
        await write(
          'Busy',
          mine.map((id) => record(id, round)),
          Math.floor(Math.random() * 25),
        );
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
    const stored = await owner('records').where({ connector_id: connectorId, stream: 'Busy' });
    expect(Object.fromEntries(view)).toEqual(Object.fromEntries(stored.map((row) => [row.external_id, row.data.version])));
    expect(view.size).toBe(ids.length);
  });

  it('filters by connector, stream and since', async () => {
    const all = await readChanges(hub, tenant, { connectorId, stream: 'Busy', atLeast: 1 });
    expect(all.changes.length).toBeGreaterThan(0);
    expect(all.changes.every((change) => change.stream === 'Busy' && change.connectorId === connectorId)).toBe(true);
    const latest = all.changes
      .map((change) => change.syncedAt)
      .sort()
      .at(-1)!;
    const since = await hub.request('GET', `/v1/records?stream=Busy&since=${encodeURIComponent(latest)}`, { key: tenant.key });
    expect(since.body.data.length).toBeGreaterThan(0);
    expect(since.body.data.every((change: { syncedAt: string }) => change.syncedAt >= latest)).toBe(true);
    const future = await hub.request('GET', `/v1/records?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`, { key: tenant.key });
    expect(future.body).toMatchObject({ data: [], hasMore: false });
    const other = await hub.createTenant();
    expect((await hub.request('GET', '/v1/records', { key: other.key })).body.data).toEqual([]);
  });

  it('refuses cursors it did not write', async () => {
    const response = await hub.request('GET', '/v1/records?cursor=bm90LWEtY3Vyc29y', { key: tenant.key });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('INVALID_CURSOR');
  });
});
