import express from 'express';
import pg from 'pg';
import { pagination } from '../../api/http/pagination';
import { usersPageStatement } from '../../platform/users/usersPageStatement';

/**
 * The floor of the authenticatedList benchmark: bare Express plus the one Postgres query of
 * `GET /v1/users` (the same SQL, from the route's own statement builder) through a plain pg Pool —
 * no key check, rate limit, quota, metering, RLS transaction, logging or metrics. It shows what
 * this machine gives any Express route that makes one database round trip, in the same run.
 * Connects with `DATABASE_URL`; each request reads the next of `FLOOR_TENANT_IDS` (comma-separated).
 */
const tenantIds = (process.env.FLOOR_TENANT_IDS ?? '').split(',').filter(Boolean);
if (tenantIds.length === 0) throw new Error('FLOOR_TENANT_IDS is empty');
// A small pool answered fastest in trials (4 vs 10, 20 and 50 connections).
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 4 });
const query = { page: 1, limit: 25 };
let next = 0;

const app = express();
app.set('etag', false);
app.get('/v1/users', async (_req, res, nextHandler) => {
  try {
    const tenantId = tenantIds[next++ % tenantIds.length]!;
    const { sql, values } = usersPageStatement(tenantId, query);
    const { rows } = await pool.query<{ data: string; total: string }>({ name: 'users-page', text: sql, values: values as unknown[] });
    res.type('json').send(`{"data":${rows[0]!.data},"pagination":${JSON.stringify(pagination(query.page, query.limit, Number(rows[0]!.total)))}}`);
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
