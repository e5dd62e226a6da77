import express from 'express';
import knex from 'knex';
import pg from 'pg';
import { pagination } from '../../api/http/pagination';
import { recordChangesQuery, type RecordChangeRow } from '../../platform/sync/recordChangesQuery';
import { usersPageStatement } from '../../platform/users/usersPageStatement';

/**
 * The floor of the API benchmarks: bare Express plus each route's own Postgres statements (the
 * same SQL, from the route's own statement builders) through a plain pg Pool — no key check, rate
 * limit, quota, metering, RLS transaction, logging or metrics. It shows what this machine gives
 * any Express route that makes the same database round trips, in the same run:
 * `GET /v1/users` (the page query), `GET /v1/tenant` (the tenant row) and `GET /v1/records` (the
 * change-feed page, then the audit row every records read writes, as its own statement).
 * Connects with `DATABASE_URL`; each request reads the next of `FLOOR_TENANT_IDS` (comma-separated).
 */
const tenantIds = (process.env.FLOOR_TENANT_IDS ?? '').split(',').filter(Boolean);
if (tenantIds.length === 0) throw new Error('FLOOR_TENANT_IDS is empty');
// A small pool answered fastest in trials (4 vs 10, 20 and 50 connections).
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 4 });
const sql = knex({ client: 'pg' });
const usersQuery = { page: 1, limit: 25 };
const recordsLimit = 25;
const FEED_START = { xid: '0', seq: '0' };
/** The route's cursor format (api/records/changeCursor.ts). */
const encodeChangeCursor = (position: { xid: string; seq: string }) => Buffer.from(`r1:${position.xid}.${position.seq}`, 'utf8').toString('base64url');
let next = 0;
const nextTenant = () => tenantIds[next++ % tenantIds.length]!;

const app = express();
app.set('etag', false);
app.get('/v1/users', async (_req, res, nextHandler) => {
  try {
    const { sql: text, values } = usersPageStatement(nextTenant(), usersQuery);
    const { rows } = await pool.query<{ data: string; total: string }>({ name: 'users-page', text, values: values as unknown[] });
    res.type('json').send(`{"data":${rows[0]!.data},"pagination":${JSON.stringify(pagination(usersQuery.page, usersQuery.limit, Number(rows[0]!.total)))}}`);
  } catch (error) {
    nextHandler(error);
  }
});
app.get('/v1/tenant', async (_req, res, nextHandler) => {
  try {
    const { rows } = await pool.query({ name: 'tenant-row', text: 'select * from tenants where id = $1', values: [nextTenant()] });
    res.json({ tenant: rows[0] });
  } catch (error) {
    nextHandler(error);
  }
});
const recordsText = recordChangesQuery(sql, '00000000-0000-4000-8000-000000000000', FEED_START, { limit: recordsLimit }).toSQL().toNative().sql;
const auditText = `insert into audit_log (tenant_id, actor_type, actor_id, actor_role, action, details, prev_hash, hash, seq)
  values ($1, 'api_key', null, 'admin', 'records.read', $2, '', '', 0)`;
app.get('/v1/records', async (_req, res, nextHandler) => {
  try {
    const tenantId = nextTenant();
    const { rows } = await pool.query<RecordChangeRow>({
      name: 'records-page',
      text: recordsText,
      values: [tenantId, FEED_START.xid, FEED_START.seq, recordsLimit],
    });
    await pool.query({ name: 'records-audit', text: auditText, values: [tenantId, JSON.stringify({ count: rows.length, after: FEED_START })] });
    const last = rows.at(-1);
    res.json({
      data: rows.map((row) => ({
        externalId: row.external_id,
        stream: row.stream,
        connectorId: row.connector_id,
        data: row.data,
        sourceUpdatedAt: row.source_updated_at,
        deletedAt: row.deleted_at,
        syncedAt: row.synced_at,
        firstSeenAt: row.first_seen_at,
      })),
      nextCursor: encodeChangeCursor(last ? { xid: last.change_xid, seq: last.change_seq } : FEED_START),
      hasMore: rows.length === recordsLimit,
    });
  } catch (error) {
    nextHandler(error);
  }
});
// Express 5 calls the listen callback with the server's error too (a taken port): fail, don't report ready.
const server = app.listen(Number(process.env.PORT), '127.0.0.1', (error?: Error) => {
  if (error) throw error;
  console.log('query floor listening');
});
process.on('SIGTERM', () => server.close(() => void pool.end().finally(() => process.exit(0))));
