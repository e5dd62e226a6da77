import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import { Transform } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { appendAudit } from '../../platform/audit';
import { type TenantTransaction } from '../../platform/db';
import { uuidFromName } from '../../platform/ids';
import { connectorCredentialsContext, type Vault } from '../../platform/vault/vault';
import { webhookSecretContext } from '../../platform/webhooks/webhookSecret';
import { type ActivityDeps } from '../deps';
import { type BackupManifest, type BackupTableEntry } from './backupManifest';
import { canonicalRow } from './createBackupActivities';
import { pagesIn, quote, TableChecksum, tableRows } from './tableRows';
import { RESTORE_RULES, tenantTables } from './tenantTables';
import { RESTORE_FAILURES } from '../../workflows/contracts';

/** Failure types of restores that must not be retried. */
export { RESTORE_FAILURES };

const LOAD_BATCH = 2_000;
const sealedContext = { connector: connectorCredentialsContext, webhook: webhookSecretContext } as const;

export interface RestoreInput {
  /** The tenant that owns the backup and runs the job. */
  tenantId: string;
  jobId: string;
  backupId: string;
  /** Restore into a new tenant with this slug instead of in place (platform admin only). */
  targetTenantSlug?: string;
  /** `platform_admin`, or `api_key:<id>` (in place only). */
  requestedBy: string;
}

/** A restored table as verification read it. */
export interface VerifiedTable {
  name: string;
  rows: number;
  checksum: string;
}

export interface RestorePlan {
  sourceTenantId: string;
  targetTenantId: string;
  targetTenantSlug: string;
  inPlace: boolean;
}

const refuse = (message: string) => ApplicationFailure.create({ type: RESTORE_FAILURES.refused, message, nonRetryable: true });

/**
 * Restores a backup's restorable tables (RESTORE_RULES) in one transaction: every table file is
 * checked against its SHA-256, loaded into a temporary table, rows the backup does not have are
 * deleted (children first) and the backup's rows upserted (parents first). Into a new tenant,
 * the tenant row is created in the same transaction, every row id is replaced by one derived from
 * the new tenant (`uuidFromName`), references follow, and secrets are re-encrypted under the new
 * tenant (vault AAD binds ciphertexts to their tenant). Before the transaction commits, row counts
 * and content checksums are compared with the manifest: a mismatch rolls the whole restore back.
 */
export function createRestoreActivities(deps: Pick<ActivityDeps, 'db' | 'files' | 'vault' | 'logger'>) {
  const { db, files, vault } = deps;

  async function loadManifest(tenantId: string, backupId: string): Promise<BackupManifest> {
    const row = (await db.withTenant(tenantId, (trx) => trx('backups').where({ tenant_id: tenantId, id: backupId }).first('manifest'))) as
      { manifest: BackupManifest } | undefined;
    if (!row) throw refuse(`backup ${backupId} not found`);
    return row.manifest;
  }

  /** The backup's restorable tables, checked against today's schema (same columns). */
  async function restorableTables(manifest: BackupManifest, trx: TenantTransaction) {
    const current = new Map((await tenantTables(trx)).map((table) => [table.name, table]));
    const order = [...current.keys()];
    const tables: BackupTableEntry[] = [];
    for (const entry of manifest.tables) {
      const rule = RESTORE_RULES[entry.name];
      if (!rule) throw refuse(`table ${entry.name} has no restore rule`);
      if (!rule.restore) continue;
      const now = current.get(entry.name);
      if (!now || now.columns.join(',') !== entry.columns.join(','))
        throw refuse(`table ${entry.name} changed since the backup; restore it with the release that made it`);
      tables.push(entry);
    }
    return tables.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
  }

  /** Streams a table file's lines, checking the SHA-256 of its bytes at the end. */
  async function* backupLines(entry: BackupTableEntry): AsyncGenerator<string> {
    const hash = createHash('sha256');
    const hashing = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        callback(null, chunk);
      },
    });
    const lines = createInterface({ input: files.get(entry.file.key).pipe(hashing).pipe(createGunzip()), crlfDelay: Infinity });
    for await (const line of lines) if (line) yield line;
    if (hash.digest('hex') !== entry.file.sha256) throw refuse(`backup file of ${entry.name} does not match its SHA-256`);
  }

  /** Id map of a restore into a new tenant: every row id of a restored table → an id derived from the new tenant. */
  async function idMapOf(tables: BackupTableEntry[], targetTenantId: string): Promise<Map<string, string>> {
    const map = new Map<string, string>();
    for (const entry of tables) {
      if (entry.primaryKey.join(',') !== 'id') continue;
      for await (const line of backupLines(entry)) {
        const id = (JSON.parse(line) as { id: string }).id;
        map.set(id, uuidFromName(`restore:${targetTenantId}:${id}`));
      }
    }
    return map;
  }

  function remap(row: Record<string, unknown>, tenantId: string, ids: Map<string, string>): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [column, value] of Object.entries(row))
      out[column] = column === 'tenant_id' ? tenantId : typeof value === 'string' && ids.has(value) ? ids.get(value) : value;
    return out;
  }

  /**
   * Row counts and content checksums of the restored tables as `trx` sees them, against the
   * manifest's; throws RestoreVerificationFailed when any differs. Secrets must open under the
   * tenant they now belong to. `ids` maps backup ids to restored ones (empty in place).
   */
  async function verifyRestored(trx: TenantTransaction, tables: BackupTableEntry[], plan: RestorePlan, ids: Map<string, string>): Promise<VerifiedTable[]> {
    const catalogue = new Map((await tenantTables(trx)).map((table) => [table.name, table]));
    const back = new Map<string, string>();
    for (const [from, to] of ids) back.set(to, from);
    const results: VerifiedTable[] = [];
    const mismatches: string[] = [];
    for (const entry of tables) {
      const checksum = new TableChecksum();
      const sealed = (RESTORE_RULES[entry.name] as { sealed?: Array<{ ciphertext: string; keyId: string; context: 'connector' | 'webhook' }> }).sealed ?? [];
      for await (const page of tableRows(pagesIn(trx), plan.targetTenantId, catalogue.get(entry.name)!)) {
        const rows = page.map((line) => JSON.parse(line) as Record<string, unknown>);
        for (const row of rows)
          for (const spec of sealed)
            await vault.openJson(trx, plan.targetTenantId, sealedContext[spec.context](String(row.id)), {
              ciphertext: String(row[spec.ciphertext]),
              dataKeyId: String(row[spec.keyId]),
            });
        for (const row of rows) checksum.add(canonicalRow(plan.inPlace ? row : remap(row, plan.sourceTenantId, back), entry.name));
        Context.current().heartbeat({ table: entry.name, rows: checksum.rows });
      }
      const digest = checksum.digest();
      results.push({ name: entry.name, rows: checksum.rows, checksum: digest });
      if (checksum.rows !== entry.rows || digest !== entry.contentChecksum)
        mismatches.push(`${entry.name}: ${checksum.rows} rows (backup ${entry.rows}), checksum ${digest === entry.contentChecksum ? 'equal' : 'differs'}`);
    }
    if (mismatches.length > 0)
      throw ApplicationFailure.create({
        type: RESTORE_FAILURES.verification,
        message: `the restored data differs from the backup (nothing was restored): ${mismatches.join('; ')}`,
        nonRetryable: true,
      });
    return results;
  }

  return {
    async restoreBackup(input: RestoreInput): Promise<RestorePlan & { tables: Array<{ name: string; rows: number }>; verified: VerifiedTable[] }> {
      const manifest = await loadManifest(input.tenantId, input.backupId);
      const source = (await db.withTenant(input.tenantId, (trx) =>
        trx('tenants').where({ id: input.tenantId }).first('id', 'slug', 'name', 'plan', 'settings', 'branding'),
      )) as {
        id: string;
        slug: string;
        name: string;
        plan: string;
        settings: Record<string, unknown>;
        branding: Record<string, unknown>;
      };
      const inPlace = input.targetTenantSlug === undefined;
      // A new slug creates a platform tenant: only the platform admin may ask for one (the API checks it too).
      if (!inPlace && input.requestedBy !== 'platform_admin') throw refuse('only the platform admin may restore into a new tenant slug');
      const plan: RestorePlan = inPlace
        ? { sourceTenantId: input.tenantId, targetTenantId: input.tenantId, targetTenantSlug: source.slug, inPlace }
        : { sourceTenantId: input.tenantId, targetTenantId: uuidFromName(`restore-tenant:${input.jobId}`), targetTenantSlug: input.targetTenantSlug!, inPlace };
      if (!inPlace) {
        const taken = (await db.withPlatform((trx) => trx('tenants').where({ slug: plan.targetTenantSlug }).first('id'))) as { id: string } | undefined;
        if (taken && taken.id !== plan.targetTenantId)
          throw ApplicationFailure.create({
            type: RESTORE_FAILURES.slugTaken,
            message: `a tenant with slug "${plan.targetTenantSlug}" already exists`,
            nonRetryable: true,
          });
      }
      const heartbeat = (details: unknown) => Context.current().heartbeat(details);

      const restored = await db.withTenant(plan.targetTenantId, async (trx) => {
        if (!inPlace) {
          // The tenant as it was backed up (older manifests: as it is now); a custom domain belongs to one tenant only.
          const origin = manifest.tenant ?? source;
          const { customDomain: _customDomain, ...branding } = origin.branding ?? {};
          await trx('tenants')
            .insert({
              id: plan.targetTenantId,
              slug: plan.targetTenantSlug,
              name: origin.name,
              plan: origin.plan,
              settings: JSON.stringify(origin.settings ?? {}),
              branding: JSON.stringify(branding),
            })
            .onConflict('id')
            .ignore();
        }
        const tables = await restorableTables(manifest, trx);
        const ids = inPlace ? new Map<string, string>() : await idMapOf(tables, plan.targetTenantId);
        const counts: Array<{ name: string; rows: number }> = [];
        for (const entry of tables) {
          const temp = quote(`restore_${entry.name}`);
          await trx.raw(`create temp table ${temp} (like ${quote(entry.name)}) on commit drop`);
          const sealed = RESTORE_RULES[entry.name]!.restore
            ? ((RESTORE_RULES[entry.name] as { sealed?: Array<{ ciphertext: string; keyId: string; context: 'connector' | 'webhook' }> }).sealed ?? [])
            : [];
          let batch: Array<Record<string, unknown>> = [];
          let rows = 0;
          const flush = async () => {
            if (batch.length === 0) return;
            if (!inPlace && sealed.length > 0) await resealBatch({ db, vault }, batch, sealed, plan, ids, trx);
            await trx.raw(`insert into ${temp} select * from jsonb_populate_recordset(null::${temp}, ?::jsonb)`, [
              JSON.stringify(batch.map((row) => (inPlace ? row : remap(row, plan.targetTenantId, ids)))),
            ]);
            rows += batch.length;
            batch = [];
            heartbeat({ table: entry.name, rows });
          };
          for await (const line of backupLines(entry)) {
            batch.push(JSON.parse(line) as Record<string, unknown>);
            if (batch.length >= LOAD_BATCH) await flush();
          }
          await flush();
          if (rows !== entry.rows) throw refuse(`backup file of ${entry.name} holds ${rows} rows, the manifest says ${entry.rows}`);
          counts.push({ name: entry.name, rows });
        }
        // Rows the backup does not have go first, children before parents.
        for (const entry of [...tables].reverse()) {
          const temp = quote(`restore_${entry.name}`);
          const key = entry.primaryKey.length > 0 ? entry.primaryKey : null;
          if (key) {
            await trx.raw(
              `delete from ${quote(entry.name)} t where t.tenant_id = ? and not exists (select 1 from ${temp} r where ${key.map((column) => `r.${quote(column)} = t.${quote(column)}`).join(' and ')})`,
              [plan.targetTenantId],
            );
          } else {
            await trx.raw(`delete from ${quote(entry.name)} where tenant_id = ?`, [plan.targetTenantId]);
          }
        }
        // Then the backup's rows, parents before children; unchanged rows are not rewritten.
        for (const entry of tables) {
          const temp = quote(`restore_${entry.name}`);
          const columns = entry.columns.map(quote).join(', ');
          const key = entry.primaryKey;
          const others = entry.columns.filter((column) => !key.includes(column));
          const upsert =
            key.length === 0
              ? ''
              : others.length === 0
                ? ` on conflict (${key.map(quote).join(', ')}) do nothing`
                : ` on conflict (${key.map(quote).join(', ')}) do update set ${others.map((column) => `${quote(column)} = excluded.${quote(column)}`).join(', ')}
                    where (${others.map((column) => `t.${quote(column)}`).join(', ')}) is distinct from (${others.map((column) => `excluded.${quote(column)}`).join(', ')})`;
          await trx.raw(`insert into ${quote(entry.name)} as t (${columns}) overriding system value select ${columns} from ${temp}${upsert}`);
          heartbeat({ upserted: entry.name });
        }
        await appendAudit(trx, {
          tenantId: plan.targetTenantId,
          actor: { type: 'system', id: `job:${input.jobId}` },
          action: 'tenant.restored',
          target: { type: 'tenant', id: plan.targetTenantId },
          details: { backupId: input.backupId, sourceTenantId: input.tenantId, requestedBy: input.requestedBy, tables: counts },
          eventKey: `restore:${input.jobId}`,
        });
        // Verified before the commit: a restore that does not match its backup leaves nothing behind.
        const verified = await verifyRestored(trx, tables, plan, ids);
        return { counts, verified };
      });
      return { ...plan, tables: restored.counts, verified: restored.verified };
    },

    /**
     * Compares the restored tenant's tables with the manifest after the restore committed; throws
     * when they differ. Workflows from before `restore-verified-in-transaction` call it (restores
     * now verify before they commit).
     */
    async verifyRestore(input: { tenantId: string; backupId: string; plan: RestorePlan }): Promise<{ tables: VerifiedTable[] }> {
      const manifest = await loadManifest(input.tenantId, input.backupId);
      const { plan } = input;
      return db.withTenant(plan.targetTenantId, async (trx) => {
        const tables = await restorableTables(manifest, trx);
        const ids = plan.inPlace ? new Map<string, string>() : await idMapOf(tables, plan.targetTenantId);
        return { tables: await verifyRestored(trx, tables, plan, ids) };
      });
    },
  };
}

/** Re-encrypts a batch's secrets from the source tenant to the new one (ids are still the source's here). */
async function resealBatch(
  { db, vault }: { db: ActivityDeps['db']; vault: Vault },
  rows: Array<Record<string, unknown>>,
  sealed: ReadonlyArray<{ ciphertext: string; keyId: string; context: 'connector' | 'webhook' }>,
  plan: RestorePlan,
  ids: Map<string, string>,
  target: TenantTransaction,
): Promise<void> {
  const opened: Array<Array<unknown>> = [];
  // The source tenant's data keys open the old ciphertexts (its own transaction: RLS).
  await db.withTenant(plan.sourceTenantId, async (trx) => {
    for (const row of rows)
      opened.push(
        await Promise.all(
          sealed.map((spec) =>
            vault.openJson(trx, plan.sourceTenantId, sealedContext[spec.context](String(row.id)), {
              ciphertext: String(row[spec.ciphertext]),
              dataKeyId: String(row[spec.keyId]),
            }),
          ),
        ),
      );
  });
  for (const [index, row] of rows.entries()) {
    const newId = ids.get(String(row.id)) ?? String(row.id);
    for (const [position, spec] of sealed.entries()) {
      const resealed = await vault.sealJson(target, plan.targetTenantId, sealedContext[spec.context](newId), opened[index]![position]);
      row[spec.ciphertext] = resealed.ciphertext;
      row[spec.keyId] = resealed.dataKeyId;
    }
  }
}
