import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { randomUUID } from 'node:crypto';
import { migrationJob, type MigrationParams } from '../../workflows/migrationJob';
import { type JobWorkflowInput } from '../../workflows/contracts';
import { callNames, withStubWorker, type StubActivities, type StubCall } from '../support/stubWorker';

/** migrationJob's saga on stub activities: the steps in order, and the compensation when a step fails. */
function inputFor(params: Partial<MigrationParams> = {}): JobWorkflowInput<MigrationParams> {
  return {
    jobId: randomUUID(),
    tenantId: randomUUID(),
    tenantSlug: 'stub',
    kind: 'migration',
    requestedBy: 'test',
    params: { uploadId: randomUUID(), target: 'users', mapping: { email: 'E-mail' }, ...params },
  };
}

function migrationStubs(rows: number, overrides: StubActivities = {}): StubActivities {
  return {
    markJobStatus: async () => undefined,
    markJobFinished: async () => undefined,
    validateMigration: async () => ({ rows, valid: rows, invalid: 0, errors: [] }),
    stageMigration: async () => ({ rows }),
    applyMigrationBatch: async (input) => ({ inserted: Math.min(input.limit, rows - input.afterSeq), updated: 0 }),
    verifyMigration: async () => ({ rows, checksum: 'abc' }),
    compensateMigration: async () => ({ reverted: 42 }),
    discardMigrationStage: async () => undefined,
    ...overrides,
  } as StubActivities;
}

const finishedAs = (calls: StubCall[]) =>
  calls.find((call) => call.name === 'markJobFinished')?.input as { status: string; error?: { code: string; message: string } } | undefined;
const steps = (calls: StubCall[]) => callNames(calls).filter((name) => !name.startsWith('markJob'));

describe('migrationJob workflow (stub activities)', () => {
  it('validates, stages, applies in batches of 1,000 and verifies, then drops the stage', async () => {
    await withStubWorker(migrationStubs(2_500), async ({ client, taskQueue, calls }) => {
      const input = inputFor();
      const result = await client.workflow.execute(migrationJob, { taskQueue, workflowId: `stub-migration-${input.jobId}`, args: [input] });
      expect(result).toEqual({ dryRun: false, target: 'users', rows: 2_500, inserted: 2_500, updated: 0, checksum: 'abc' });
      expect(steps(calls)).toEqual([
        'validateMigration',
        'stageMigration',
        'applyMigrationBatch',
        'applyMigrationBatch',
        'applyMigrationBatch',
        'verifyMigration',
        'discardMigrationStage',
      ]);
      expect(calls.filter((call) => call.name === 'applyMigrationBatch').map((call) => (call.input as { afterSeq: number }).afterSeq)).toEqual([
        0, 1_000, 2_000,
      ]);
      expect(finishedAs(calls)?.status).toBe('completed');
    });
  });

  it('when verify fails, compensates what was applied, then discards the stage (keeping the report), and fails as MigrationRolledBack', async () => {
    const stubs = migrationStubs(1_500, {
      verifyMigration: async () => Promise.reject(ApplicationFailure.nonRetryable('checksum mismatch', 'MigrationVerifyFailed')),
    });
    await withStubWorker(stubs, async ({ client, taskQueue, calls }) => {
      const input = inputFor();
      const failed = await client.workflow
        .execute(migrationJob, { taskQueue, workflowId: `stub-migration-${input.jobId}`, args: [input] })
        .catch((error: unknown) => error);
      expect(failed).toBeInstanceOf(WorkflowFailedError);
      expect(steps(calls)).toEqual([
        'validateMigration',
        'stageMigration',
        'applyMigrationBatch',
        'applyMigrationBatch',
        'verifyMigration',
        'compensateMigration',
        'discardMigrationStage',
      ]);
      expect(calls.find((call) => call.name === 'discardMigrationStage')?.input).toMatchObject({ keepReport: true });
      expect(finishedAs(calls)).toMatchObject({
        status: 'failed',
        error: { code: 'MigrationRolledBack', message: expect.stringMatching(/checksum mismatch; rolled back: 42 changed rows/) },
      });
    });
  });

  it('when an apply batch fails, applies no further batch and compensates', async () => {
    const stubs = migrationStubs(3_000, {
      applyMigrationBatch: async (input) =>
        input.afterSeq === 1_000 ? Promise.reject(ApplicationFailure.nonRetryable('constraint', 'DatabaseConstraint')) : { inserted: 1_000, updated: 0 },
    });
    await withStubWorker(stubs, async ({ client, taskQueue, calls }) => {
      const input = inputFor();
      await expect(client.workflow.execute(migrationJob, { taskQueue, workflowId: `stub-migration-${input.jobId}`, args: [input] })).rejects.toBeInstanceOf(
        WorkflowFailedError,
      );
      expect(steps(calls)).toEqual([
        'validateMigration',
        'stageMigration',
        'applyMigrationBatch',
        'applyMigrationBatch',
        'compensateMigration',
        'discardMigrationStage',
      ]);
      expect(finishedAs(calls)?.error?.code).toBe('MigrationRolledBack');
    });
  });

  it('an invalid file stops after validation: nothing is staged, applied or compensated', async () => {
    const stubs = migrationStubs(10, {
      validateMigration: async () => ({ rows: 10, valid: 9, invalid: 1, errors: [{ line: 3, column: 'E-mail', message: 'not an e-mail' }] }),
    });
    await withStubWorker(stubs, async ({ client, taskQueue, calls }) => {
      const input = inputFor();
      await expect(client.workflow.execute(migrationJob, { taskQueue, workflowId: `stub-migration-${input.jobId}`, args: [input] })).rejects.toBeInstanceOf(
        WorkflowFailedError,
      );
      expect(steps(calls)).toEqual(['validateMigration']);
      expect(finishedAs(calls)).toMatchObject({
        status: 'failed',
        error: { code: 'MigrationInvalid', message: expect.stringContaining('line 3 E-mail: not an e-mail') },
      });
    });
  });
});
