import { type Knex } from 'knex';

/**
 * What a restore does with a tenant table. Backups hold every table with a `tenant_id` (derived
 * from the database); a restore overwrites only the tenant's own data and leaves histories,
 * ledgers and credentials of the hub alone. A table without a rule makes restores refuse (a test
 * checks that every tenant table has one), so a new table forces a decision.
 */
export const RESTORE_RULES: Readonly<
  Record<
    string,
    { restore: true; sealed?: ReadonlyArray<{ ciphertext: string; keyId: string; context: 'connector' | 'webhook' }> } | { restore: false; why: string }
  >
> = {
  users: { restore: true },
  connectors: { restore: true, sealed: [{ ciphertext: 'credentials_ciphertext', keyId: 'credentials_key_id', context: 'connector' }] },
  records: { restore: true },
  sync_stream_state: { restore: true },
  webhook_endpoints: { restore: true, sealed: [{ ciphertext: 'secret_ciphertext', keyId: 'secret_key_id', context: 'webhook' }] },
  audit_log: { restore: false, why: 'append-only and hash-chained per tenant: never rewritten (the restore appends its own entry)' },
  jobs: { restore: false, why: 'job history, including the running restore' },
  files: { restore: false, why: 'the file catalogue (it holds the backup being restored)' },
  backups: { restore: false, why: 'the backup catalogue' },
  events: { restore: false, why: 'the event outbox: restoring would send webhooks again' },
  webhook_deliveries: { restore: false, why: 'delivery ledger' },
  webhook_attempts: { restore: false, why: 'delivery ledger' },
  notifications: { restore: false, why: 'notifications already sent' },
  usage_events: { restore: false, why: 'metering ledger (billing is never rewound)' },
  usage_counters: { restore: false, why: 'metering ledger' },
  usage_daily: { restore: false, why: 'metering rollup' },
  job_daily: { restore: false, why: 'job rollup' },
  seats_daily: { restore: false, why: 'seat rollup kept by triggers on users' },
  seat_counts: { restore: false, why: 'seat counter kept by triggers on users (restored users move it)' },
  storage_usage: { restore: false, why: 'byte counter kept by triggers on files (which are not restored)' },
  billing_customers: { restore: false, why: 'billing (money is never rewound)' },
  invoices: { restore: false, why: 'billing (money is never rewound)' },
  billing_suspensions: { restore: false, why: 'billing' },
  billing_notifications: { restore: false, why: 'billing' },
  api_keys: { restore: false, why: 'API credentials are never resurrected' },
  vault_data_keys: { restore: false, why: 'key material stays; secrets are re-encrypted for a new tenant' },
  sync_runs: { restore: false, why: 'sync run ledger (rows reference jobs)' },
  sync_run_streams: { restore: false, why: 'sync run ledger' },
  sync_schedules: { restore: false, why: 'mirrors Temporal Schedules, which a restore does not recreate' },
  scan_items: { restore: false, why: 'batch-scan job results' },
  migration_rows: { restore: false, why: 'migration job stage' },
  migration_changes: { restore: false, why: 'migration job bookkeeping' },
  user_import_batches: { restore: false, why: 'user-import job bookkeeping (applied-batch markers)' },
  user_credentials: { restore: false, why: 'console passwords are credentials: never resurrected (restored users set theirs again by a reset link)' },
  user_mfa: { restore: false, why: 'second factors are credentials: never resurrected' },
  user_recovery_codes: { restore: false, why: 'second factors are credentials: never resurrected' },
  user_sessions: { restore: false, why: 'console sessions: a restore signs everyone out' },
  user_tokens: { restore: false, why: 'one-time links: never resurrected' },
  limit_counters: { restore: false, why: 'limit counters of the current periods (metering, never rewound)' },
  wallet_accounts: { restore: false, why: 'billing (money is never rewound)' },
  wallet_ledger: { restore: false, why: 'append-only money ledger (money is never rewound)' },
  wallet_recharges: { restore: false, why: 'billing (money is never rewound)' },
  limit_raises: { restore: false, why: 'granted by the platform admin, not tenant data' },
  identity_settings: { restore: false, why: 'identity policy (SSO requirement, provisioning): a restore must not loosen sign-in rules' },
  identity_group_roles: { restore: false, why: 'identity policy: group → role mapping decides privileges, a restore must not widen them' },
  identity_domains: { restore: false, why: 'domain ownership is proven by DNS, never rewound by a restore' },
  identity_connections: { restore: false, why: 'identity provider connections hold sealed secrets and decide who signs in: never rewound' },
  identity_login_states: { restore: false, why: 'pending SSO sign-ins (single use, short-lived)' },
  identity_saml_assertions: { restore: false, why: 'used SAML assertion ids: rewinding them would allow replays' },
  scim_tokens: { restore: false, why: 'SCIM credentials are never resurrected' },
  scim_users: { restore: false, why: "provisioning state owned by the tenant's identity provider (it pushes again)" },
  scim_groups: { restore: false, why: "provisioning state owned by the tenant's identity provider (it pushes again)" },
  scim_group_members: { restore: false, why: "provisioning state owned by the tenant's identity provider (it pushes again)" },
  scim_requests: { restore: false, why: 'SCIM request log' },
  connector_definitions: { restore: false, why: 'versions are immutable and kept while any connector uses them, so restored connectors find theirs' },
  connector_definition_versions: { restore: false, why: 'immutable definition versions (never deleted while in use)' },
  tenant_network_allowances: { restore: false, why: 'granted by the platform admin, not tenant data (a restore must not widen network access)' },
};

/** A tenant table as the catalogue describes it. */
export interface TenantTable {
  name: string;
  columns: string[];
  /** Primary-key columns (empty: none). */
  primaryKey: string[];
  /** Tenant tables this one references (foreign keys). */
  references: string[];
}

/**
 * Every table of the public schema with a `tenant_id` column, in foreign-key order (referenced
 * first), with its stored columns: generated columns are derived, so backups leave them out and
 * restores let Postgres compute them again.
 */
export async function tenantTables(knex: Knex | Knex.Transaction): Promise<TenantTable[]> {
  const columns = (
    await knex.raw(
      `select c.table_name as table, c.column_name as column
         from information_schema.columns c join information_schema.tables t using (table_schema, table_name)
        where c.table_schema = 'public' and t.table_type = 'BASE TABLE' and c.is_generated = 'NEVER'
          and c.table_name in (select table_name from information_schema.columns where table_schema = 'public' and column_name = 'tenant_id')
        order by c.table_name, c.ordinal_position`,
    )
  ).rows as Array<{ table: string; column: string }>;
  const keys = (
    await knex.raw(
      `select cl.relname as table, a.attname as column, array_position(i.indkey::int2[], a.attnum) as position
         from pg_index i join pg_class cl on cl.oid = i.indrelid join pg_namespace n on n.oid = cl.relnamespace
         join pg_attribute a on a.attrelid = cl.oid and a.attnum = any(i.indkey)
        where i.indisprimary and n.nspname = 'public'`,
    )
  ).rows as Array<{ table: string; column: string; position: number }>;
  const foreign = (
    await knex.raw(
      `select cl.relname as table, ref.relname as referenced
         from pg_constraint c join pg_class cl on cl.oid = c.conrelid join pg_class ref on ref.oid = c.confrelid join pg_namespace n on n.oid = cl.relnamespace
        where c.contype = 'f' and n.nspname = 'public'`,
    )
  ).rows as Array<{ table: string; referenced: string }>;

  const tables = new Map<string, TenantTable>();
  for (const { table, column } of columns) {
    const entry = tables.get(table) ?? { name: table, columns: [], primaryKey: [], references: [] };
    entry.columns.push(column);
    tables.set(table, entry);
  }
  for (const key of keys.sort((a, b) => a.position - b.position)) tables.get(key.table)?.primaryKey.push(key.column);
  for (const { table, referenced } of foreign) {
    const entry = tables.get(table);
    if (entry && tables.has(referenced) && referenced !== table && !entry.references.includes(referenced)) entry.references.push(referenced);
  }
  // Topological order: a table comes after every tenant table it references.
  const ordered: TenantTable[] = [];
  const placed = new Set<string>();
  const visit = (table: TenantTable, path: Set<string>) => {
    if (placed.has(table.name) || path.has(table.name)) return;
    path.add(table.name);
    for (const referenced of table.references.sort()) visit(tables.get(referenced)!, path);
    placed.add(table.name);
    ordered.push(table);
  };
  for (const name of [...tables.keys()].sort()) visit(tables.get(name)!, new Set());
  return ordered;
}
