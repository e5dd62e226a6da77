import knex, { type Knex } from 'knex';
import { Client } from 'pg';
import { APP_ROLE } from '../db';
import { FolderMigrationSource } from './folderMigrationSource';

/** Tables the app role may only append to and read. */
export const APPEND_ONLY_TABLES: readonly string[] = ['audit_log'];

export interface MigrateOptions {
  /** Owner connection (creates tables, policies and the app role). */
  ownerUrl: string;
  /** When set, the hub_app login role is created (or its password reset) with this password. */
  appPassword?: string;
  log?: (line: string) => void;
}

/**
 * Brings the schema to the latest migration as the owner, then (re)grants the app role exactly
 * what it needs: DML on tenant tables, INSERT/SELECT on append-only tables, nothing on knex's own.
 * Idempotent: `npm start`, the test setup and `npm run migrate` all call it.
 */
export async function migrateToLatest(options: MigrateOptions): Promise<{ applied: string[] }> {
  const log = options.log ?? (() => undefined);
  const owner = knex({ client: 'pg', connection: options.ownerUrl, pool: { min: 0, max: 2 } });
  try {
    if (options.appPassword !== undefined) await ensureAppRole(owner, options.appPassword);
    const [, applied] = (await owner.migrate.latest({ migrationSource: new FolderMigrationSource() })) as [number, string[]];
    for (const name of applied) log(`migrated ${name}`);
    await grantAppPrivileges(owner);
    return { applied };
  } finally {
    await owner.destroy();
  }
}

async function ensureAppRole(owner: Knex, password: string): Promise<void> {
  const literal = Client.prototype.escapeLiteral(password);
  const exists = await owner.raw(`select 1 from pg_roles where rolname = ?`, [APP_ROLE]);
  const attributes = `login nosuperuser nobypassrls nocreatedb nocreaterole noinherit password ${literal}`;
  if (exists.rows.length === 0) {
    await owner.raw(`create role ${APP_ROLE} with ${attributes}`);
  } else {
    await owner.raw(`alter role ${APP_ROLE} with ${attributes}`);
  }
  const database = (await owner.raw('select current_database() as name')).rows[0].name as string;
  await owner.raw(`grant connect on database ?? to ${APP_ROLE}`, [database]);
}

async function grantAppPrivileges(owner: Knex): Promise<void> {
  await owner.raw(`grant usage on schema public to ${APP_ROLE}`);
  const tables = await owner.raw(`select tablename from pg_tables where schemaname = 'public' and tablename not like 'knex\\_%'`);
  for (const { tablename } of tables.rows as Array<{ tablename: string }>) {
    await owner.raw(`revoke all on table ?? from ${APP_ROLE}`, [tablename]);
    const privileges = APPEND_ONLY_TABLES.includes(tablename) ? 'select, insert' : 'select, insert, update, delete';
    await owner.raw(`grant ${privileges} on table ?? to ${APP_ROLE}`, [tablename]);
  }
  await owner.raw(`grant usage, select on all sequences in schema public to ${APP_ROLE}`);
  await owner.raw(`revoke all on table knex_migrations, knex_migrations_lock from ${APP_ROLE}`);
}
