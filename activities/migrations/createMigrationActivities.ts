import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { Readable } from 'node:stream';
import { z } from 'zod';
import { appendAudit } from '../../platform/audit';
import { type TenantTransaction } from '../../platform/db';
import { fileKey } from '../../platform/files/createFileStore';
import { quote } from '../backups/tableRows';
import { tenantTables } from '../backups/tenantTables';
import { durationMs } from '../../platform/config';
import { storeTenantFile } from '../../platform/files/tenantFiles';
import { newUserSchema } from '../../platform/users/newUserSchema';
import { type ActivityDeps } from '../deps';
import { MIGRATION_INVALID, migrationSource, sourceValue, type MigrationSourceParams } from './migrationSource';
import { MIGRATION_FAILURE_TYPES } from '../../workflows/contracts';

export interface MigrationTarget extends MigrationSourceParams {
  tenantId: string;
  jobId: string;
  target: 'users' | 'records';
  records?: { connectorId: string; stream: string };
  mapping: Record<string, string>;
}

export interface MigrationError {
  line: number;
  column: string;
  message: string;
}

/** Failure type when verification finds the applied data differs from the stage. */
export const MIGRATION_VERIFY_FAILED = MIGRATION_FAILURE_TYPES.verifyFailed;

const MAX_REPORTED_ERRORS = 100;
const STAGE_BATCH = 1_000;

// The same rules as POST /v1/users (its body schema), plus the status a legacy system may carry.
const userRow = newUserSchema.extend({ status: z.enum(['invited', 'active', 'suspended']).default('active') });
const recordRow = z.strictObject({ externalId: z.string().min(1).max(500), data: z.record(z.string(), z.unknown()) });

/** Maps one legacy record to the target's row: `{key, data}` or the errors of its fields. */
function mapRecord(
  target: MigrationTarget,
  record: Record<string, unknown>,
  line: number,
): { key: string; data: Record<string, unknown> } | { errors: MigrationError[] } {
  const value = (field: string) => {
    const raw = sourceValue(record, target.mapping[field]!);
    return raw === '' || raw === null ? undefined : raw;
  };
  if (target.target === 'users') {
    const candidate = {
      email: value('email'),
      name: value('name'),
      role: value('role') ?? 'member',
      ...(target.mapping.status ? { status: value('status') } : {}),
    };
    const parsed = userRow.safeParse(typeof candidate.role === 'string' ? { ...candidate, role: candidate.role.toLowerCase() } : candidate);
    if (!parsed.success)
      return {
        errors: parsed.error.issues.map((issue) => ({
          line,
          column: target.mapping[String(issue.path[0])] ?? String(issue.path[0]),
          message: `${String(issue.path[0])}: ${issue.message}`,
        })),
      };
    return { key: parsed.data.email.toLowerCase(), data: parsed.data };
  }
  const data: Record<string, unknown> = {};
  for (const field of Object.keys(target.mapping)) if (field !== 'externalId') data[field] = value(field) ?? null;
  const externalId = value('externalId');
  const parsed = recordRow.safeParse({ externalId: externalId === undefined ? undefined : String(externalId), data });
  if (!parsed.success)
    return { errors: parsed.error.issues.map((issue) => ({ line, column: target.mapping.externalId!, message: `${issue.path.join('.')}: ${issue.message}` })) };
  return { key: parsed.data.externalId, data: parsed.data.data };
}

/** SQL of a target's canonical lines (`key|fields…`) for checksums: from the stage and from the target table. */
function canonicalSql(target: MigrationTarget): { staged: string; applied: string } {
  if (target.target === 'users') {
    return {
      staged: `s.target_key || '|' || (s.data->>'name') || '|' || (s.data->>'role') || '|' || (s.data->>'status')`,
      applied: `lower(u.email) || '|' || u.name || '|' || u.role || '|' || u.status`,
    };
  }
  return { staged: `s.target_key || '|' || (s.data)::text`, applied: `u.external_id || '|' || u.data::text` };
}

/** Joins the stage to the target table's rows with the same keys. */
function targetJoin(target: MigrationTarget): { sql: string; bindings: string[] } {
  if (target.target === 'users') return { sql: `left join users u on u.tenant_id = s.tenant_id and lower(u.email) = s.target_key`, bindings: [] };
  return {
    sql: `left join records u on u.tenant_id = s.tenant_id and u.connector_id = ? and u.stream = ? and u.external_id = s.target_key`,
    bindings: [target.records!.connectorId, target.records!.stream],
  };
}

const sha256Of = (lines: string) => `encode(sha256(convert_to(coalesce(string_agg(${lines}, E'\\n' order by s.target_key), ''), 'UTF8')), 'hex')`;

/**
 * The `migration` job's saga steps. validate reads the legacy dataset and checks every mapped
 * row (nothing written); stage writes the mapped rows to `migration_rows` in one transaction;
 * apply upserts them in batches, recording in `migration_changes` what each key was before (same
 * transaction); verify compares the target with the stage (row count and SHA-256 of canonical
 * lines) and with the declared control totals; compensate undoes exactly the recorded changes.
 */
export function createMigrationActivities(deps: Pick<ActivityDeps, 'config' | 'db' | 'logger' | 'vault' | 'files'>) {
  const { db, files } = deps;
  const heartbeat = (details: unknown) => Context.current().heartbeat(details);

  async function* mapped(target: MigrationTarget) {
    const seen = new Map<string, number>();
    for await (const { line, record } of migrationSource(deps, target.tenantId, target, heartbeat)) {
      const result = mapRecord(target, record, line);
      if ('errors' in result) {
        yield { line, errors: result.errors };
        continue;
      }
      const first = seen.get(result.key);
      if (first !== undefined) {
        yield { line, errors: [{ line, column: target.mapping[target.target === 'users' ? 'email' : 'externalId']!, message: `duplicate of line ${first}` }] };
        continue;
      }
      seen.set(result.key, line);
      yield { line, row: result };
    }
  }

  async function checkTarget(target: MigrationTarget): Promise<void> {
    if (target.target !== 'records') return;
    const connector = await db.withTenant(target.tenantId, (trx) =>
      trx('connectors').where({ tenant_id: target.tenantId, id: target.records!.connectorId }).first('id'),
    );
    if (!connector)
      throw ApplicationFailure.create({ type: MIGRATION_INVALID, message: `connector ${target.records!.connectorId} not found`, nonRetryable: true });
  }

  return {
    /** Reads and checks every row; answers counts and the first errors, with every error in a downloadable NDJSON report. */
    async validateMigration(
      target: MigrationTarget & { requestedBy: string },
    ): Promise<{ rows: number; valid: number; invalid: number; errors: MigrationError[]; reportFileId: string | null }> {
      await checkTarget(target);
      let rows = 0;
      let valid = 0;
      const errors: MigrationError[] = [];
      const all: string[] = [];
      for await (const result of mapped(target)) {
        rows += 1;
        if (result.row) {
          valid += 1;
          continue;
        }
        for (const error of result.errors!) {
          if (errors.length < MAX_REPORTED_ERRORS) errors.push(error);
          all.push(JSON.stringify(error));
        }
      }
      if (rows === 0) throw ApplicationFailure.create({ type: MIGRATION_INVALID, message: 'the dataset has no rows', nonRetryable: true });
      let reportFileId: string | null = null;
      if (all.length > 0) {
        const stored = await storeTenantFile(
          { db, files },
          {
            tenantId: target.tenantId,
            id: target.jobId,
            purpose: 'job_output',
            name: `migration-errors-${target.jobId.slice(0, 8)}.ndjson`,
            contentType: 'application/x-ndjson',
            source: Readable.from([Buffer.from(`${all.join('\n')}\n`)]),
            jobId: target.jobId,
            createdBy: target.requestedBy,
            expiresInMs: durationMs(deps.config.HUB_FILE_RETENTION),
          },
        );
        reportFileId = stored.id;
      }
      return { rows, valid, invalid: rows - valid, errors, reportFileId };
    },

    /** Writes the mapped rows to the stage (all or nothing) and answers their count and checksum. */
    async stageMigration(target: MigrationTarget): Promise<{ rows: number; checksum: string }> {
      return db.withTenant(target.tenantId, async (trx) => {
        await trx('migration_rows').where({ tenant_id: target.tenantId, job_id: target.jobId }).del();
        let batch: Array<Record<string, unknown>> = [];
        let seq = 0;
        for await (const result of mapped(target)) {
          if (!result.row)
            throw ApplicationFailure.create({
              type: MIGRATION_INVALID,
              message: `line ${result.line}: ${result.errors![0]!.message} (the dataset changed since validation)`,
              nonRetryable: true,
            });
          seq += 1;
          batch.push({ tenant_id: target.tenantId, job_id: target.jobId, seq, target_key: result.row.key, data: JSON.stringify(result.row.data) });
          if (batch.length >= STAGE_BATCH) {
            await trx('migration_rows').insert(batch);
            batch = [];
            heartbeat({ staged: seq });
          }
        }
        if (batch.length > 0) await trx('migration_rows').insert(batch);
        return stagedSummary(trx, target);
      });
    },

    /** Applies staged rows `(afterSeq, afterSeq + limit]`, recording each key's prior state first (idempotent). */
    async applyMigrationBatch(target: MigrationTarget & { afterSeq: number; limit: number }): Promise<{ applied: number; inserted: number; updated: number }> {
      return db.withTenant(target.tenantId, async (trx) => {
        const range = [target.tenantId, target.jobId, target.afterSeq, target.afterSeq + target.limit];
        const join = targetJoin(target);
        const changes = await trx.raw(
          `insert into migration_changes (tenant_id, job_id, target, target_key, action, before)
           select s.tenant_id, s.job_id, ?, s.target_key, case when u.tenant_id is null then 'inserted' else 'updated' end, case when u.tenant_id is null then null else to_jsonb(u) end
             from migration_rows s ${join.sql}
            where s.tenant_id = ? and s.job_id = ? and s.seq > ? and s.seq <= ?
           on conflict do nothing
           returning action`,
          [target.target, ...join.bindings, ...range],
        );
        let applied: number;
        if (target.target === 'users') {
          applied = (
            await trx.raw(
              `insert into users (id, tenant_id, email, name, role, status)
               select gen_random_uuid(), s.tenant_id, s.data->>'email', s.data->>'name', s.data->>'role', s.data->>'status'
                 from migration_rows s where s.tenant_id = ? and s.job_id = ? and s.seq > ? and s.seq <= ?
               on conflict (tenant_id, lower(email)) do update set name = excluded.name, role = excluded.role, status = excluded.status, updated_at = now()`,
              range,
            )
          ).rowCount as number;
        } else {
          applied = (
            await trx.raw(
              `insert into records (tenant_id, connector_id, stream, external_id, data, data_hash, change_seq)
               select s.tenant_id, ?, ?, s.target_key, s.data, md5(s.data::text), nextval('records_change_seq')
                 from migration_rows s where s.tenant_id = ? and s.job_id = ? and s.seq > ? and s.seq <= ?
                order by s.seq
               on conflict (tenant_id, connector_id, stream, external_id) do update
                 set data = excluded.data, data_hash = excluded.data_hash, change_seq = excluded.change_seq, change_xid = pg_current_xact_id(), deleted_at = null, synced_at = now()`,
              [target.records!.connectorId, target.records!.stream, ...range],
            )
          ).rowCount as number;
        }
        const actions = (changes.rows as Array<{ action: string }>).map((row) => row.action);
        const inserted = actions.filter((action) => action === 'inserted').length;
        await appendAudit(trx, {
          tenantId: target.tenantId,
          actor: { type: 'system', id: `job:${target.jobId}` },
          action: 'migration.applied',
          target: { type: 'job', id: target.jobId },
          details: { target: target.target, afterSeq: target.afterSeq, rows: applied, inserted, updated: actions.length - inserted },
          eventKey: `migration:${target.jobId}:apply:${target.afterSeq}`,
        });
        heartbeat({ afterSeq: target.afterSeq });
        return { applied, inserted, updated: actions.length - inserted };
      });
    },

    /** Compares the target with the stage and the declared control totals; throws MigrationVerifyFailed when they differ. */
    async verifyMigration(target: MigrationTarget & { expect?: { rows?: number; checksum?: string } }): Promise<{ rows: number; checksum: string }> {
      const { staged, applied } = await db.withTenant(target.tenantId, async (trx) => {
        const join = targetJoin(target);
        const row = (
          await trx.raw(
            `select count(u.tenant_id)::int as rows, ${sha256Of(`case when u.tenant_id is null then '' else ${canonicalSql(target).applied} end`)} as checksum
               from migration_rows s ${join.sql} where s.tenant_id = ? and s.job_id = ?`,
            [...join.bindings, target.tenantId, target.jobId],
          )
        ).rows[0] as { rows: number; checksum: string };
        return { staged: await stagedSummary(trx, target), applied: row };
      });
      const problems: string[] = [];
      if (applied.rows !== staged.rows) problems.push(`${applied.rows} of ${staged.rows} staged rows are in ${target.target}`);
      if (applied.checksum !== staged.checksum)
        problems.push(`the checksum of ${target.target} (${applied.checksum}) differs from the stage (${staged.checksum})`);
      if (target.expect?.rows !== undefined && target.expect.rows !== staged.rows)
        problems.push(`the legacy system reports ${target.expect.rows} rows, ${staged.rows} were migrated`);
      if (target.expect?.checksum !== undefined && target.expect.checksum !== staged.checksum)
        problems.push(`the legacy system's checksum ${target.expect.checksum} differs from the migrated ${staged.checksum}`);
      if (problems.length > 0)
        throw ApplicationFailure.create({ type: MIGRATION_VERIFY_FAILED, message: `verification failed: ${problems.join('; ')}`, nonRetryable: true });
      return staged;
    },

    /**
     * The saga's compensation: every key this migration changed gets its prior row back (or is
     * removed when the migration inserted it), in batches whose change rows are deleted with the
     * revert (idempotent on retry). Answers how many keys it restored.
     */
    async compensateMigration(target: MigrationTarget): Promise<{ reverted: number }> {
      let reverted = 0;
      for (;;) {
        const done = await db.withTenant(target.tenantId, async (trx) => {
          const changes = (await trx('migration_changes')
            .where({ tenant_id: target.tenantId, job_id: target.jobId })
            .orderBy('target_key')
            .limit(STAGE_BATCH)
            .select('target_key', 'action', 'before')) as Array<{
            target_key: string;
            action: string;
            before: Record<string, unknown> | null;
          }>;
          if (changes.length === 0) return 0;
          const keys = changes.map((change) => change.target_key);
          await removeTargetRows(trx, target, keys);
          const before = changes.filter((change) => change.action === 'updated').map((change) => change.before);
          if (before.length > 0) {
            const table = target.target === 'users' ? 'users' : 'records';
            // Stored columns only: Postgres computes generated ones (users.api_json) itself.
            const columns = (await tenantTables(trx))
              .find((candidate) => candidate.name === table)!
              .columns.map(quote)
              .join(', ');
            await trx.raw(`insert into ${table} (${columns}) select ${columns} from jsonb_populate_recordset(null::${table}, ?::jsonb)`, [
              JSON.stringify(before),
            ]);
          }
          await trx('migration_changes').where({ tenant_id: target.tenantId, job_id: target.jobId }).whereIn('target_key', keys).del();
          await appendAudit(trx, {
            tenantId: target.tenantId,
            actor: { type: 'system', id: `job:${target.jobId}` },
            action: 'migration.rolled_back',
            target: { type: 'job', id: target.jobId },
            details: { target: target.target, keys: keys.length, restored: before.length, removed: keys.length - before.length, firstKey: keys[0] },
            eventKey: `migration:${target.jobId}:compensate:${keys[0]}`,
          });
          return keys.length;
        });
        if (done === 0) break;
        reverted += done;
        heartbeat({ reverted });
      }
      return { reverted };
    },

    /** Removes the stage and bookkeeping of a finished (or rolled back) migration. */
    async discardMigrationStage(target: Pick<MigrationTarget, 'tenantId' | 'jobId'> & { keepReport?: boolean }): Promise<void> {
      await db.withTenant(target.tenantId, async (trx) => {
        await trx('migration_rows').where({ tenant_id: target.tenantId, job_id: target.jobId }).del();
        await trx('migration_changes').where({ tenant_id: target.tenantId, job_id: target.jobId }).del();
        if (!target.keepReport) await trx('files').where({ tenant_id: target.tenantId, id: target.jobId }).del();
      });
      if (!target.keepReport) await files.delete(fileKey(target.tenantId, target.jobId));
    },
  };
}

async function stagedSummary(trx: TenantTransaction, target: MigrationTarget): Promise<{ rows: number; checksum: string }> {
  const row = (
    await trx.raw(
      `select count(*)::int as rows, ${sha256Of(canonicalSql(target).staged)} as checksum from migration_rows s where s.tenant_id = ? and s.job_id = ?`,
      [target.tenantId, target.jobId],
    )
  ).rows[0] as { rows: number; checksum: string };
  return row;
}

async function removeTargetRows(trx: TenantTransaction, target: MigrationTarget, keys: string[]): Promise<void> {
  if (target.target === 'users') {
    await trx.raw(`delete from users where tenant_id = ? and lower(email) in (${keys.map(() => '?').join(', ')})`, [target.tenantId, ...keys]);
  } else {
    await trx('records')
      .where({ tenant_id: target.tenantId, connector_id: target.records!.connectorId, stream: target.records!.stream })
      .whereIn('external_id', keys)
      .del();
  }
}
