import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../platform/config';
import { appDatabaseUrl, createDatabase, type Database } from '../../platform/db';
import { DEBIAN_PGBOUNCER_PATH as PGBOUNCER } from '../../platform/local/pgbouncer';
import { freePort } from '../../platform/local/ports';
import { eventually } from '../support/eventually';

/**
 * The hub's database access through a real PgBouncer (Debian's package) in transaction mode with
 * ONE server connection: every transaction of every client connection takes turns on the same
 * Postgres backend, so a tenant setting that outlived its transaction would be seen by the next.
 * The hub sets tenant settings with set_config(…, true), local to the transaction.
 */
describe('through PgBouncer in transaction mode', () => {
  let bouncer: ChildProcess;
  let directory: string;
  let db: Database;
  let direct: Database;
  const tenants = [randomUUID(), randomUUID()];

  beforeAll(async () => {
    if (!fs.existsSync(PGBOUNCER)) throw new Error(`${PGBOUNCER} is missing: run npm run provision (Debian's pgbouncer package)`);
    const config = loadConfig({ ...process.env, NODE_ENV: 'test' });
    const target = new URL(appDatabaseUrl(config));
    const port = await freePort();
    directory = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-pgbouncer-'));
    const database = target.pathname.slice(1);
    fs.writeFileSync(
      path.join(directory, 'pgbouncer.ini'),
      [
        '[databases]',
        `${database} = host=${target.hostname} port=${target.port} dbname=${database} user=${decodeURIComponent(target.username)} password=${decodeURIComponent(target.password)}`,
        '[pgbouncer]',
        `listen_addr = 127.0.0.1`,
        `listen_port = ${port}`,
        'auth_type = any',
        'pool_mode = transaction',
        'default_pool_size = 1',
        'max_client_conn = 50',
        `unix_socket_dir =`,
        `logfile = ${path.join(directory, 'pgbouncer.log')}`,
        `pidfile = ${path.join(directory, 'pgbouncer.pid')}`,
        '',
      ].join('\n'),
    );
    // PgBouncer refuses to run as root; as root (a container) it drops to nobody, who must reach its files.
    const asRoot = process.getuid?.() === 0;
    if (asRoot) fs.chmodSync(directory, 0o777);
    bouncer = spawn(PGBOUNCER, [...(asRoot ? ['-u', 'nobody'] : []), path.join(directory, 'pgbouncer.ini')], { stdio: 'ignore' });
    const url = new URL(target.toString());
    url.port = String(port);
    db = createDatabase({ url: url.toString(), poolMax: 4, applicationName: 'hub-pgbouncer-test' });
    await eventually(
      () =>
        db.ping(1_000).then(
          () => true,
          () => undefined,
        ),
      20_000,
      'PgBouncer to accept connections',
    );
    direct = createDatabase({ url: config.DATABASE_URL!, poolMax: 2, applicationName: 'hub-pgbouncer-owner' });
  });

  afterAll(async () => {
    await db?.close();
    await direct?.close();
    bouncer?.kill('SIGTERM');
    if (directory) fs.rmSync(directory, { recursive: true, force: true });
  });

  it('keeps each transaction’s tenant to itself on the one shared server connection', async () => {
    const seen = await Promise.all(
      Array.from({ length: 40 }, (_, index) => {
        const tenantId = tenants[index % 2]!;
        return db.withTenant(tenantId, async (trx) => {
          const row = (await trx.raw(`select current_setting('app.tenant_id', true) as tenant, pg_backend_pid() as pid`)).rows[0];
          return { expected: tenantId, tenant: row.tenant as string, pid: Number(row.pid) };
        });
      }),
    );
    expect(seen.every((entry) => entry.tenant === entry.expected)).toBe(true);
    // One Postgres backend served every transaction of the four client connections.
    expect(new Set(seen.map((entry) => entry.pid)).size).toBe(1);
    // Outside a transaction nothing is left over from the last tenant.
    const after = await db.knex.raw(`select coalesce(current_setting('app.tenant_id', true), '') as tenant`);
    expect(after.rows[0].tenant).toBe('');
  });
});
