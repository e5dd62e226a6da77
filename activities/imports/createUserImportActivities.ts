import { Context } from '@temporalio/activity';
import { stringify } from 'csv-stringify/sync';
import { Readable } from 'node:stream';
import { appendAudit } from '../../platform/audit';
import { fileKey } from '../../platform/files/createFileStore';
import { durationMs } from '../../platform/config';
import { findTenantFile, openTenantFile, storeTenantFile, type TenantFile } from '../../platform/files/tenantFiles';
import { readTabularFile, TABULAR_LIMITS, TabularFileError, tabularFormatOf, type TabularLimits, type TabularRow } from '../../platform/files/readTabularFile';
import { uuidFromName } from '../../platform/ids';
import { newUserSchema, type NewUser } from '../../platform/users/newUserSchema';
import { type ActivityDeps } from '../deps';
import { malformedInput } from './importErrors';

/** Rows per import batch (one `user_import_batches` marker each). */
export const IMPORT_BATCH_ROWS = 1_000;
/**
 * Batches applied per transaction and INSERT statement. Every statement that changes users fires
 * billing's seat-count trigger, which counts the tenant's users: ten batches per statement keep
 * that cost at one count per 10,000 rows (a 1,000,000-row import would otherwise count 1,000 times).
 */
export const BATCHES_PER_STATEMENT = 10;
/** Valid rows per staged chunk file (one apply activity each: the cancellation granularity). */
export const IMPORT_CHUNK_ROWS = 50_000;
/** Errors carried in the job result; the downloadable report has all of them. */
const RESULT_ERRORS = 100;
const REQUIRED_COLUMNS = ['email', 'name', 'role'] as const;

export interface UserImportTarget {
  tenantId: string;
  jobId: string;
}

export interface ImportError {
  line: number;
  column: string | null;
  message: string;
}

export interface ValidatedImport {
  rows: number;
  valid: number;
  failed: number;
  chunks: number;
  errors: ImportError[];
  errorReport: { id: string; name: string; size: number; sha256: string; contentType: string };
}

const chunkName = (jobId: string, chunk: number) => `${jobId}.import-${String(chunk).padStart(5, '0')}`;
export const errorReportId = (jobId: string) => uuidFromName(`user-import-errors:${jobId}`);

/** Users come from a CSV or an XLSX workbook (an NDJSON-looking name is read as CSV). */
function formatOf(file: TenantFile, requested: string | undefined): 'csv' | 'xlsx' {
  if (requested === 'csv' || requested === 'xlsx') return requested;
  return tabularFormatOf(file) === 'xlsx' ? 'xlsx' : 'csv';
}

/** Field errors of one row, by column, with the same rules as POST /v1/users. */
function validateRow(row: TabularRow<string>): { user?: NewUser; errors: ImportError[] } {
  const candidate = { email: row.record.email ?? '', name: row.record.name ?? '', role: (row.record.role ?? '').toLowerCase() };
  const parsed = newUserSchema.safeParse(candidate);
  if (parsed.success) return { user: parsed.data, errors: [] };
  return {
    errors: parsed.error.issues.map((issue) => {
      const column = String(issue.path[0] ?? '');
      const value = (candidate as Record<string, string>)[column];
      return { line: row.line, column: column || null, message: value === '' ? `${column} is required` : `${column}: ${issue.message}` };
    }),
  };
}

/**
 * user_import in two phases. `validateUserImport` streams the whole upload (CSV via csv-parse,
 * XLSX via the exceljs streaming reader), validates every row and stages the valid ones as chunk
 * files, writing nothing to the users table: a malformed file fails here with no partial writes.
 * `applyUserImportChunk` upserts a staged chunk in batches of {@link IMPORT_BATCH_ROWS}, each with its
 * `user_import_batches` marker written in the same transaction ({@link BATCHES_PER_STATEMENT} batches
 * per transaction), so retries, crashes and re-runs never double-apply.
 */
export function createUserImportActivities({ config, db, files }: Pick<ActivityDeps, 'config' | 'db' | 'files'>, limits: TabularLimits = TABULAR_LIMITS) {
  async function deleteChunks(target: UserImportTarget, chunks: number): Promise<void> {
    for (let chunk = 0; chunk < chunks; chunk += 1) await files.delete(fileKey(target.tenantId, chunkName(target.jobId, chunk)));
  }

  return {
    async validateUserImport(input: UserImportTarget & { uploadId: string; format?: string; requestedBy: string }): Promise<ValidatedImport> {
      const upload = await findTenantFile(db, input.tenantId, input.uploadId, 'upload');
      if (!upload) throw malformedInput(`Upload ${input.uploadId} does not exist`);
      const format = formatOf(upload, input.format);
      const seen = new Set<string>();
      const errors: ImportError[] = [];
      let staged: string[] = [];
      let chunks = 0;
      let rows = 0;
      let valid = 0;
      const flush = async () => {
        if (staged.length === 0) return;
        await files.put(fileKey(input.tenantId, chunkName(input.jobId, chunks)), Readable.from([Buffer.from(staged.join(''), 'utf8')]));
        chunks += 1;
        staged = [];
        Context.current().heartbeat({ rows, chunks });
      };
      const consume = async () => {
        const source = readTabularFile(
          { ...upload, open: () => openTenantFile(files, upload), localPath: files.localPath?.(upload.storageKey) },
          { format, requiredColumns: REQUIRED_COLUMNS, limits },
        );
        for await (const row of source) {
          rows += 1;
          const checked = validateRow(row);
          if (checked.user) {
            const email = checked.user.email.toLowerCase();
            if (seen.has(email)) {
              errors.push({ line: row.line, column: 'email', message: `duplicate e-mail ${checked.user.email} (already in an earlier line of this file)` });
              continue;
            }
            seen.add(email);
            valid += 1;
            staged.push(`${JSON.stringify([checked.user.email, checked.user.name, checked.user.role])}\n`);
            if (staged.length >= IMPORT_CHUNK_ROWS) await flush();
          } else {
            errors.push(...checked.errors);
          }
          if (rows % 10_000 === 0) Context.current().heartbeat({ rows, chunks });
        }
        await flush();
      };
      try {
        await consume();
      } catch (error) {
        await deleteChunks(input, chunks + 1); // nothing staged survives a file that cannot be read
        if (error instanceof TabularFileError) throw malformedInput(error.message);
        throw error;
      }
      const failedLines = new Set(errors.map((error) => error.line)).size;
      const report = stringify([['line', 'column', 'message'], ...errors.map((error) => [error.line, error.column ?? '', error.message])], {
        escape_formulas: true,
      });
      const stored = await storeTenantFile(
        { db, files },
        {
          tenantId: input.tenantId,
          id: errorReportId(input.jobId),
          purpose: 'job_output',
          name: `user-import-errors-${input.jobId.slice(0, 8)}.csv`,
          contentType: 'text/csv; charset=utf-8',
          source: Readable.from([Buffer.from(report, 'utf8')]),
          jobId: input.jobId,
          createdBy: input.requestedBy,
          expiresInMs: durationMs(config.HUB_FILE_RETENTION),
        },
      );
      return {
        rows,
        valid,
        failed: failedLines,
        chunks,
        errors: errors.slice(0, RESULT_ERRORS),
        errorReport: { id: stored.id, name: stored.name, size: stored.size, sha256: stored.sha256, contentType: stored.contentType },
      };
    },

    async applyUserImportChunk(
      input: UserImportTarget & { chunk: number; requestedBy: string },
    ): Promise<{ imported: number; updated: number; unchanged: number; rows: number }> {
      const key = fileKey(input.tenantId, chunkName(input.jobId, input.chunk));
      let text = '';
      for await (const piece of files.get(key)) text += (piece as Buffer).toString('utf8');
      const users = text
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as [string, string, string]);
      const totals = { imported: 0, updated: 0, unchanged: 0, rows: users.length };
      const batchesPerChunk = Math.ceil(IMPORT_CHUNK_ROWS / IMPORT_BATCH_ROWS);
      const batchCount = Math.ceil(users.length / IMPORT_BATCH_ROWS);
      for (let first = 0; first < batchCount; first += BATCHES_PER_STATEMENT) {
        const indexes = Array.from({ length: Math.min(BATCHES_PER_STATEMENT, batchCount - first) }, (_, offset) => first + offset);
        const counts = await db.withTenant(input.tenantId, async (trx) => {
          const numbers = indexes.map((index) => input.chunk * batchesPerChunk + index);
          const done = (await trx('user_import_batches')
            .where({ job_id: input.jobId })
            .whereIn('batch', numbers)
            .select('batch', 'imported', 'updated', 'unchanged')) as Array<{
            batch: number;
            imported: number;
            updated: number;
            unchanged: number;
          }>;
          const sum = { imported: 0, updated: 0, unchanged: 0 };
          for (const marker of done) {
            sum.imported += marker.imported;
            sum.updated += marker.updated;
            sum.unchanged += marker.unchanged;
          }
          const doneNumbers = new Set(done.map((marker) => marker.batch));
          const pending = indexes.filter((index) => !doneNumbers.has(input.chunk * batchesPerChunk + index));
          if (pending.length === 0) return sum;
          const batchOf = new Map<string, number>();
          const rows: Array<{ email: string; name: string; role: string }> = [];
          for (const index of pending) {
            for (const [email, name, role] of users.slice(index * IMPORT_BATCH_ROWS, (index + 1) * IMPORT_BATCH_ROWS)) {
              batchOf.set(email.toLowerCase(), index);
              rows.push({ email, name, role });
            }
          }
          // Existing e-mails are updated (name, role), except admins, whose role an import never
          // changes (it could demote the last admin); unchanged rows are left alone.
          const result = await trx.raw(
            `insert into users (id, tenant_id, email, name, role, status)
             select gen_random_uuid(), ?, u.email, u.name, u.role, 'invited'
               from jsonb_to_recordset(?::jsonb) as u(email text, name text, role text)
             on conflict (tenant_id, lower(email)) do update set name = excluded.name, role = excluded.role, updated_at = now()
               where users.role <> 'admin' and (users.name, users.role) is distinct from (excluded.name, excluded.role)
             returning lower(users.email) as email, (xmax = 0) as inserted`,
            [input.tenantId, JSON.stringify(rows)],
          );
          const perBatch = new Map(pending.map((index) => [index, { imported: 0, updated: 0 }]));
          for (const row of result.rows as Array<{ email: string; inserted: boolean }>) {
            const entry = perBatch.get(batchOf.get(row.email)!)!;
            if (row.inserted) entry.imported += 1;
            else entry.updated += 1;
          }
          const markers = pending.map((index) => {
            const entry = perBatch.get(index)!;
            const size = Math.min(IMPORT_BATCH_ROWS, users.length - index * IMPORT_BATCH_ROWS);
            return {
              tenant_id: input.tenantId,
              job_id: input.jobId,
              batch: input.chunk * batchesPerChunk + index,
              imported: entry.imported,
              updated: entry.updated,
              unchanged: size - entry.imported - entry.updated,
            };
          });
          await trx('user_import_batches').insert(markers);
          const applied = { imported: 0, updated: 0, unchanged: 0 };
          for (const marker of markers) {
            applied.imported += marker.imported;
            applied.updated += marker.updated;
            applied.unchanged += marker.unchanged;
          }
          if (applied.imported + applied.updated > 0) {
            await appendAudit(trx, {
              tenantId: input.tenantId,
              actor: { type: 'system', id: input.requestedBy },
              action: 'users.imported',
              target: { type: 'job', id: input.jobId },
              details: { batches: markers.map((marker) => marker.batch), imported: applied.imported, updated: applied.updated },
              eventKey: `user-import:${input.jobId}:${markers[0]!.batch}`,
            });
          }
          return { imported: sum.imported + applied.imported, updated: sum.updated + applied.updated, unchanged: sum.unchanged + applied.unchanged };
        });
        totals.imported += counts.imported;
        totals.updated += counts.updated;
        totals.unchanged += counts.unchanged;
        Context.current().heartbeat({ chunk: input.chunk, batch: first });
      }
      return totals;
    },

    /** Removes the staged chunks (after apply, or when the job was cancelled: with its error report). */
    async discardUserImport(input: UserImportTarget & { chunks: number; withReport: boolean }): Promise<void> {
      await deleteChunks(input, input.chunks);
      if (input.withReport) {
        await files.delete(fileKey(input.tenantId, errorReportId(input.jobId)));
        await db.withTenant(input.tenantId, (trx) =>
          trx('files')
            .where({ id: errorReportId(input.jobId) })
            .del(),
        );
      }
    },
  };
}
