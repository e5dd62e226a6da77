import { continueAsNew, proxyActivities } from '@temporalio/workflow';
import type { HubActivities } from '../activities';
import { INVALID_SCAN_INPUT, NON_RETRYABLE_CONNECTOR_FAILURE_TYPES, type JobWorkflowInput } from './contracts';
import { runJob } from './jobs/runJob';

export interface BatchScanParams {
  items?: unknown[];
  uploadId?: string;
  connectorId?: string;
  /** A FHIR connector the scanned items are written back to as Observations. */
  fhirConnectorId?: string;
  /** Items per chunk activity (default 250). */
  itemsPerChunk?: number;
  /** Chunks in flight at once (default 4). */
  concurrency?: number;
  /** Provider attempts per item before it counts as failed (default 3). */
  maxAttemptsPerItem?: number;
}

/** Where a batch scan stands; carried into the next run when it continues as new. */
export interface BatchScanState {
  connectorId: string;
  total: number;
  nextSeq: number;
  succeeded: number;
  failed: number;
  writtenBack: number;
  continuations: number;
}

export interface BatchScanResult extends Record<string, unknown> {
  total: number;
  succeeded: number;
  failed: number;
  writtenBack?: number;
  file: { id: string; name: string; size: number; sha256: string; contentType: string };
}

/** Chunks one run schedules before it continues as new: history stays small for 100,000+ items. */
const CHUNKS_PER_RUN = 100;

const { stageScanItems, finishBatchScan, discardBatchScan } = proxyActivities<HubActivities>({
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '1 minute',
  retry: { maximumAttempts: 10, nonRetryableErrorTypes: [INVALID_SCAN_INPUT] },
});
const { scanChunk, writeBackScanChunk } = proxyActivities<HubActivities>({
  startToCloseTimeout: '10 minutes',
  // Chunks heartbeat every 5 s while waiting on the provider: a dead worker's chunks retry soon.
  heartbeatTimeout: '30 seconds',
  retry: { maximumAttempts: 20, maximumInterval: '1 minute', nonRetryableErrorTypes: NON_RETRYABLE_CONNECTOR_FAILURE_TYPES },
});

/**
 * `batch_scan` job (workflow id `job/<slug>/batch_scan/<jobId>`): stages the items, then scans
 * them in chunks through a sliding window of at most `concurrency` chunk activities (a finished
 * chunk makes room for the next), and continues as new every {@link CHUNKS_PER_RUN} chunks. Counts
 * are exact: every chunk answers its range's final outcome from the result rows.
 */
export async function batchScanJob(input: JobWorkflowInput<BatchScanParams> & { carried?: BatchScanState }): Promise<BatchScanResult> {
  const target = { tenantId: input.tenantId, jobId: input.jobId };
  const chunkSize = input.params.itemsPerChunk ?? 250;
  const concurrency = input.params.concurrency ?? 4;
  const maxAttempts = input.params.maxAttemptsPerItem ?? 3;
  let scanFailures: string[] = [];
  return runJob(
    input,
    async (control) => {
      const progress = control.progress;
      let state = input.carried;
      if (!state) {
        progress.phase = 'stage';
        const staged = await control.batch(() =>
          stageScanItems({ ...target, items: input.params.items, uploadId: input.params.uploadId, connectorId: input.params.connectorId }),
        );
        state = { connectorId: staged.connectorId, total: staged.total, nextSeq: 0, succeeded: 0, failed: 0, writtenBack: 0, continuations: 0 };
      }
      const current = state;
      progress.phase = 'scan';
      progress.total = current.total;
      progress.done = current.succeeded + current.failed;
      progress.succeeded = current.succeeded;
      progress.failed = current.failed;

      const inFlight = new Set<Promise<void>>();
      let failure: unknown;
      let chunksThisRun = 0;
      const launch = (fromSeq: number, toSeq: number) => {
        const work: Promise<void> = control
          .batch(async () => {
            const counts = await scanChunk({ ...target, connectorId: current.connectorId, fromSeq, toSeq, maxAttempts });
            const fhirConnectorId = input.params.fhirConnectorId;
            if (fhirConnectorId) {
              const { written } = await writeBackScanChunk({ ...target, fhirConnectorId, fromSeq, toSeq });
              current.writtenBack += written;
            }
            return counts;
          })
          .then((counts) => {
            current.succeeded += counts.succeeded;
            current.failed += counts.failed;
            progress.done = current.succeeded + current.failed;
            progress.succeeded = current.succeeded;
            progress.failed = current.failed;
          })
          .catch((error: unknown) => {
            failure ??= error;
          })
          .finally(() => inFlight.delete(work));
        inFlight.add(work);
      };
      try {
        while (failure === undefined && current.nextSeq < current.total && chunksThisRun < CHUNKS_PER_RUN) {
          await control.checkpoint();
          const toSeq = Math.min(current.total, current.nextSeq + chunkSize);
          launch(current.nextSeq, toSeq);
          current.nextSeq = toSeq;
          chunksThisRun += 1;
          if (inFlight.size >= concurrency) await Promise.race(inFlight);
        }
      } finally {
        // Chunks already running finish (and are counted) before the job stops or continues.
        await Promise.all([...inFlight]);
      }
      if (failure !== undefined) throw failure;
      if (current.nextSeq < current.total) {
        await continueAsNew<typeof batchScanJob>({ ...input, carried: { ...current, continuations: current.continuations + 1 } });
      }
      await control.checkpoint();
      progress.phase = 'report';
      const report = await control.batch(() => finishBatchScan({ ...target, requestedBy: input.requestedBy }));
      scanFailures = report.failures ?? [];
      return {
        total: report.total,
        succeeded: report.succeeded,
        failed: report.failed,
        ...(input.params.fhirConnectorId ? { writtenBack: current.writtenBack } : {}),
        file: report.file,
      };
    },
    () => discardBatchScan(target),
    (result) => ({ total: result.total, failed: result.failed, noun: 'items', examples: scanFailures }),
  );
}
