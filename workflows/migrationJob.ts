import { ApplicationFailure, CancellationScope, isCancellation, proxyActivities } from '@temporalio/workflow';
import type { HubActivities } from '../activities';
import type { MigrationError } from '../activities/migrations/createMigrationActivities';
import { MIGRATION_FAILURE_TYPES, NON_RETRYABLE_CONNECTOR_FAILURE_TYPES, type JobWorkflowInput } from './contracts';
import { runJob } from './jobs/runJob';

export interface MigrationParams {
  uploadId?: string;
  connectorId?: string;
  stream?: string;
  target: 'users' | 'records';
  records?: { connectorId: string; stream: string };
  mapping: Record<string, string>;
  dryRun?: boolean;
  expect?: { rows?: number; checksum?: string };
}

export type MigrationResult =
  | { dryRun: true; rows: number; valid: number; invalid: number; errors: MigrationError[]; file?: { id: string } }
  | { dryRun: false; target: string; rows: number; inserted: number; updated: number; checksum: string };

/** Rows per apply activity (one transaction each). */
const APPLY_BATCH = 1_000;

const { validateMigration, stageMigration, applyMigrationBatch, verifyMigration, discardMigrationStage } = proxyActivities<HubActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '2 minutes',
  retry: {
    maximumAttempts: 10,
    nonRetryableErrorTypes: [MIGRATION_FAILURE_TYPES.invalid, MIGRATION_FAILURE_TYPES.verifyFailed, ...NON_RETRYABLE_CONNECTOR_FAILURE_TYPES],
  },
});
const { compensateMigration } = proxyActivities<HubActivities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '2 minutes',
  retry: { maximumAttempts: 50 },
});

/**
 * `migration` job (workflow id `job/<slug>/migration/<jobId>`), a saga: validate (a dry run stops
 * here with its report) → stage → apply in batches → verify (row counts and checksums). If apply
 * or verify fails, or the job is cancelled while applying, the compensation puts back exactly what
 * this migration changed, and the job fails with `MigrationRolledBack` saying why.
 */
export async function migrationJob(input: JobWorkflowInput<MigrationParams>): Promise<MigrationResult> {
  const target = {
    tenantId: input.tenantId,
    jobId: input.jobId,
    uploadId: input.params.uploadId,
    connectorId: input.params.connectorId,
    stream: input.params.stream,
    target: input.params.target,
    records: input.params.records,
    mapping: input.params.mapping,
  };
  let applying = false;
  const compensate = async (reason: string) => {
    const { reverted } = await compensateMigration(target);
    await discardMigrationStage({ tenantId: input.tenantId, jobId: input.jobId, keepReport: true });
    return { reverted, reason };
  };
  return runJob(
    input,
    async (control) => {
      const progress = control.progress;
      progress.phase = 'validate';
      const report = await control.batch(() => validateMigration({ ...target, requestedBy: input.requestedBy }));
      progress.total = report.rows;
      progress.invalid = report.invalid;
      if (input.params.dryRun) {
        return {
          dryRun: true,
          rows: report.rows,
          valid: report.valid,
          invalid: report.invalid,
          errors: report.errors,
          ...(report.reportFileId ? { file: { id: report.reportFileId } } : {}),
        };
      }
      if (report.invalid > 0) {
        const first = report.errors.slice(0, 5).map((error) => `line ${error.line} ${error.column}: ${error.message}`);
        throw ApplicationFailure.create({
          type: MIGRATION_FAILURE_TYPES.invalid,
          message: `${report.invalid} of ${report.rows} rows are invalid, nothing was migrated: ${first.join('; ')}`,
          nonRetryable: true,
        });
      }
      await control.checkpoint();
      progress.phase = 'stage';
      const staged = await control.batch(() => stageMigration(target));
      progress.total = staged.rows;

      let inserted = 0;
      let updated = 0;
      try {
        progress.phase = 'apply';
        applying = true;
        for (let afterSeq = 0; afterSeq < staged.rows; afterSeq += APPLY_BATCH) {
          await control.checkpoint();
          const batch = await control.batch(() => applyMigrationBatch({ ...target, afterSeq, limit: APPLY_BATCH }));
          inserted += batch.inserted;
          updated += batch.updated;
          progress.done = Math.min(staged.rows, afterSeq + APPLY_BATCH);
        }
        progress.phase = 'verify';
        const verified = await control.batch(() => verifyMigration({ ...target, expect: input.params.expect }));
        applying = false;
        await discardMigrationStage({ tenantId: input.tenantId, jobId: input.jobId, keepReport: true });
        return { dryRun: false, target: target.target, rows: verified.rows, inserted, updated, checksum: verified.checksum };
      } catch (error) {
        if (isCancellation(error)) throw error; // runJob's cleanup compensates
        progress.phase = 'compensate';
        const { reverted } = await CancellationScope.nonCancellable(() => compensate(describe(error)));
        applying = false;
        progress.compensated = reverted;
        throw ApplicationFailure.create({
          type: MIGRATION_FAILURE_TYPES.rolledBack,
          message: `${describe(error)}; rolled back: ${reverted} changed rows were restored to their state before the migration`,
          nonRetryable: true,
          cause: error as Error,
        });
      }
    },
    async () => {
      if (applying) await compensate('cancelled');
      else await discardMigrationStage({ tenantId: input.tenantId, jobId: input.jobId });
    },
  );
}

/** The innermost failure message (activity failures wrap the application failure). */
function describe(error: unknown): string {
  let current: unknown = error;
  while (!(current instanceof ApplicationFailure) && current instanceof Error && current.cause) current = current.cause;
  return current instanceof Error ? current.message : String(error);
}
