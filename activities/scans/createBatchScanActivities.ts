import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { Readable } from 'node:stream';
import { scanItemSchema, type ScanFinding, type ScanItem } from '../../connectors/scan/schemas';
import { fileKey } from '../../platform/files/createFileStore';
import { readTabularFile, TabularFileError } from '../../platform/files/readTabularFile';
import { durationMs } from '../../platform/config';
import { findTenantFile, openTenantFile, storeTenantFile } from '../../platform/files/tenantFiles';
import { insertUsageEvents, stampUsageEvent } from '../../platform/metering/recordUsage';
import { USAGE_KINDS } from '../../platform/metering/usageEvent';
import { withConnector } from '../connectors/connectorRuntime';
import { type ActivityDeps } from '../deps';
import { INVALID_SCAN_INPUT } from '../../workflows/contracts';

/** Failure type of a batch whose items or file are invalid: not retried, nothing staged. */
export { INVALID_SCAN_INPUT };

/** Failed items a report names (the job error quotes a few); the output file lists all. */
const FAILURES_REPORTED = 10;
const STAGE_BATCH = 1_000;

export interface BatchScanTarget {
  tenantId: string;
  jobId: string;
}

/**
 * The `batch_scan` job's steps. Items are staged as `scan_items` rows (in one transaction: a bad
 * item stages nothing), scanned chunk by chunk through the tenant's `scan` connector, and every
 * outcome is written to its row together with the usage event that meters it (dedupe key per
 * item: a retried chunk never bills twice). Only counts travel through workflow history.
 */
export function createBatchScanActivities(deps: Pick<ActivityDeps, 'config' | 'db' | 'logger' | 'vault' | 'files'>) {
  const { db, files } = deps;

  async function resolveConnector(tenantId: string, connectorId: string | undefined): Promise<string> {
    const rows = (await db.withTenant(tenantId, (trx) => {
      const query = trx('connectors').where({ tenant_id: tenantId, type: 'scan' }).select('id');
      return connectorId ? query.where({ id: connectorId }) : query;
    })) as Array<{ id: string }>;
    if (rows.length === 1) return rows[0]!.id;
    const message = connectorId
      ? `scan connector ${connectorId} not found`
      : rows.length === 0
        ? 'the tenant has no scan connector'
        : 'the tenant has several scan connectors: pass connectorId';
    throw ApplicationFailure.create({ type: INVALID_SCAN_INPUT, message, nonRetryable: true });
  }

  async function* itemsOf(input: BatchScanTarget & { items?: unknown[]; uploadId?: string }): AsyncGenerator<{ line: number; record: unknown }> {
    if (input.items) {
      for (const [index, record] of input.items.entries()) yield { line: index + 1, record };
      return;
    }
    const file = await findTenantFile(db, input.tenantId, input.uploadId!, 'upload');
    if (!file) throw ApplicationFailure.create({ type: INVALID_SCAN_INPUT, message: `upload ${input.uploadId} not found`, nonRetryable: true });
    if (file.size === 0) throw ApplicationFailure.create({ type: INVALID_SCAN_INPUT, message: 'the upload is empty', nonRetryable: true });
    yield* readTabularFile({ ...file, open: () => openTenantFile(files, file), localPath: files.localPath?.(file.storageKey) });
  }

  return {
    /** Validates and stages every item (idempotent: a job staged before answers its count). */
    async stageScanItems(
      input: BatchScanTarget & { items?: unknown[]; uploadId?: string; connectorId?: string },
    ): Promise<{ total: number; connectorId: string }> {
      const connectorId = await resolveConnector(input.tenantId, input.connectorId);
      const total = await db.withTenant(input.tenantId, async (trx) => {
        const staged = (await trx('scan_items').where({ tenant_id: input.tenantId, job_id: input.jobId }).count('* as count').first()) as { count: string };
        if (Number(staged.count) > 0) return Number(staged.count);
        let batch: Array<Record<string, unknown>> = [];
        let seq = 0;
        const errors: string[] = [];
        const flush = async () => {
          if (batch.length > 0 && errors.length === 0) await trx('scan_items').insert(batch);
          batch = [];
          Context.current().heartbeat({ staged: seq });
        };
        try {
          for await (const { line, record } of itemsOf(input)) {
            const cleaned = Object.fromEntries(Object.entries(record as Record<string, unknown>).filter(([, value]) => value !== '' && value !== null));
            const parsed = scanItemSchema.safeParse(cleaned);
            if (!parsed.success) {
              if (errors.length < 20)
                errors.push(`line ${line}: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || 'item'}: ${issue.message}`).join('; ')}`);
              continue;
            }
            batch.push({ tenant_id: input.tenantId, job_id: input.jobId, seq, item_id: parsed.data.id, item: JSON.stringify(parsed.data) });
            seq += 1;
            if (batch.length >= STAGE_BATCH) await flush();
          }
        } catch (error) {
          if (error instanceof TabularFileError) throw ApplicationFailure.create({ type: INVALID_SCAN_INPUT, message: error.message, nonRetryable: true });
          throw error;
        }
        if (errors.length > 0)
          throw ApplicationFailure.create({ type: INVALID_SCAN_INPUT, message: `invalid scan items: ${errors.join(' | ')}`, nonRetryable: true });
        await flush();
        if (seq === 0) throw ApplicationFailure.create({ type: INVALID_SCAN_INPUT, message: 'no scan items', nonRetryable: true });
        return seq;
      });
      return { total, connectorId };
    },

    /**
     * Scans items `[fromSeq, toSeq)`: every pending item goes to the provider; failed items are
     * re-submitted (as a new attempt) up to `maxAttempts`. Each round's outcomes and usage events
     * commit together. Answers the range's final counts (a retried chunk skips finished items).
     */
    async scanChunk(
      input: BatchScanTarget & { connectorId: string; fromSeq: number; toSeq: number; maxAttempts: number },
    ): Promise<{ succeeded: number; failed: number }> {
      const range = (trx: Parameters<Parameters<typeof db.withTenant>[1]>[0]) =>
        trx('scan_items').where({ tenant_id: input.tenantId, job_id: input.jobId }).where('seq', '>=', input.fromSeq).where('seq', '<', input.toSeq);
      for (;;) {
        const pending = (await db.withTenant(input.tenantId, (trx) =>
          range(trx).where({ status: 'pending' }).orderBy('seq').select('seq', 'item', 'attempts'),
        )) as Array<{ seq: number; item: ScanItem; attempts: number }>;
        if (pending.length === 0) break;
        Context.current().heartbeat({ fromSeq: input.fromSeq, pending: pending.length });
        const { results } = await heartbeatingWhile({ fromSeq: input.fromSeq, pending: pending.length }, () =>
          withConnector(
            deps,
            { tenantId: input.tenantId, connectorId: input.connectorId },
            ({ instance }) =>
              instance.write!(
                'scans',
                pending.map((row) => ({ ...row.item, attempt: row.attempts + 1 })),
              ),
            { signal: Context.current().cancellationSignal, heartbeat: (details) => Context.current().heartbeat(details) },
          ),
        );
        await db.withTenant(input.tenantId, async (trx) => {
          const usage = [];
          for (const [index, row] of pending.entries()) {
            const result = results[index]!;
            const attempts = row.attempts + 1;
            if (result.ok) {
              const scan = await trx('scan_items')
                .where({ tenant_id: input.tenantId, job_id: input.jobId, seq: row.seq })
                .update({
                  status: 'ok',
                  scan_id: result.externalId ?? null,
                  result: result.data ? JSON.stringify(result.data) : null,
                  error: null,
                  attempts,
                  updated_at: trx.fn.now(),
                });
              if (scan > 0)
                usage.push(
                  stampUsageEvent({
                    tenantId: input.tenantId,
                    kind: USAGE_KINDS.scan,
                    quantity: 1,
                    dedupeKey: `scan:${input.jobId}:${row.seq}`,
                    details: { jobId: input.jobId },
                  }),
                );
            } else {
              await trx('scan_items')
                .where({ tenant_id: input.tenantId, job_id: input.jobId, seq: row.seq })
                .update({
                  status: attempts >= input.maxAttempts ? 'error' : 'pending',
                  error: JSON.stringify({ message: result.error ?? 'scan failed' }),
                  attempts,
                  updated_at: trx.fn.now(),
                });
            }
          }
          await insertUsageEvents(trx, input.tenantId, usage);
        });
      }
      const counts = (await db.withTenant(input.tenantId, (trx) =>
        range(trx).select(trx.raw(`count(*) filter (where status = 'ok') as ok, count(*) filter (where status = 'error') as error`)).first(),
      )) as { ok: string; error: string };
      return { succeeded: Number(counts.ok), failed: Number(counts.error) };
    },

    /**
     * Writes the range's scanned items back to the tenant's FHIR connector as Observations (id
     * derived from job and item: a retry updates, never duplicates) and records their ids.
     */
    async writeBackScanChunk(
      input: BatchScanTarget & { fhirConnectorId: string; fromSeq: number; toSeq: number },
    ): Promise<{ written: number; failed: number }> {
      const rows = (await db.withTenant(input.tenantId, (trx) =>
        trx('scan_items')
          .where({ tenant_id: input.tenantId, job_id: input.jobId, status: 'ok' })
          .whereNull('fhir_resource_id')
          .where('seq', '>=', input.fromSeq)
          .where('seq', '<', input.toSeq)
          .orderBy('seq')
          .select('seq', 'item', 'scan_id', 'result'),
      )) as Array<{ seq: number; item: ScanItem; scan_id: string; result: ScanFinding | null }>;
      if (rows.length === 0) return { written: 0, failed: 0 };
      const resources = rows.map((row) => scanObservation(input.jobId, row));
      const { results } = await withConnector(deps, { tenantId: input.tenantId, connectorId: input.fhirConnectorId }, ({ instance }) => {
        if (!instance.write)
          throw ApplicationFailure.create({ type: INVALID_SCAN_INPUT, message: 'the FHIR write-back connector cannot write', nonRetryable: true });
        return instance.write('Observation', resources);
      });
      let written = 0;
      await db.withTenant(input.tenantId, async (trx) => {
        for (const [index, row] of rows.entries()) {
          if (!results[index]?.ok) continue;
          written += 1;
          await trx('scan_items')
            .where({ tenant_id: input.tenantId, job_id: input.jobId, seq: row.seq })
            .update({ fhir_resource_id: resources[index]!.id, updated_at: trx.fn.now() });
        }
      });
      const firstFailure = results.find((result) => !result.ok);
      if (firstFailure)
        deps.logger.warn(
          { tenantId: input.tenantId, jobId: input.jobId, failed: rows.length - written, error: firstFailure.error },
          'batch scan: FHIR write-back refused some items',
        );
      return { written, failed: rows.length - written };
    },

    /** Writes the per-item results (NDJSON, in item order) as the job's downloadable output. */
    async finishBatchScan(input: BatchScanTarget & { requestedBy: string }): Promise<{
      succeeded: number;
      failed: number;
      total: number;
      file: { id: string; name: string; size: number; sha256: string; contentType: string };
      /** The first failed items, `<item id>: <error>` (the file has every one). */
      failures: string[];
    }> {
      let succeeded = 0;
      let failed = 0;
      const failures: string[] = [];
      async function* lines(): AsyncGenerator<Buffer> {
        let after = -1;
        for (;;) {
          const rows = (await db.withTenant(input.tenantId, (trx) =>
            trx('scan_items')
              .where({ tenant_id: input.tenantId, job_id: input.jobId })
              .where('seq', '>', after)
              .orderBy('seq')
              .limit(5_000)
              .select('seq', 'item_id', 'item', 'status', 'scan_id', 'result', 'error', 'attempts', 'fhir_resource_id'),
          )) as Array<{
            seq: number;
            item_id: string;
            item: ScanItem;
            status: string;
            scan_id: string | null;
            result: ScanFinding | null;
            error: { message: string } | null;
            attempts: number;
            fhir_resource_id: string | null;
          }>;
          if (rows.length === 0) return;
          after = rows.at(-1)!.seq;
          const text = rows
            .map((row) => {
              if (row.status === 'ok') succeeded += 1;
              else {
                failed += 1;
                if (failures.length < FAILURES_REPORTED) failures.push(`${row.item_id}: ${row.error?.message ?? 'failed'}`);
              }
              return JSON.stringify({
                id: row.item_id,
                status: row.status === 'ok' ? 'ok' : 'error',
                scanId: row.scan_id,
                attempts: row.attempts,
                ...(row.status === 'ok' ? { result: row.result } : { error: row.error?.message ?? null }),
                ...(row.item.patientRef ? { patientRef: row.item.patientRef } : {}),
                ...(row.fhir_resource_id ? { fhirResource: `Observation/${row.fhir_resource_id}` } : {}),
              });
            })
            .join('\n');
          yield Buffer.from(`${text}\n`, 'utf8');
        }
      }
      const name = `batch-scan-${input.jobId.slice(0, 8)}.ndjson`;
      const stored = await storeTenantFile(deps, {
        tenantId: input.tenantId,
        id: input.jobId,
        purpose: 'job_output',
        name,
        contentType: 'application/x-ndjson',
        source: Readable.from(lines()),
        jobId: input.jobId,
        createdBy: input.requestedBy,
        expiresInMs: durationMs(deps.config.HUB_FILE_RETENTION),
      });
      return {
        succeeded,
        failed,
        total: succeeded + failed,
        file: { id: stored.id, name, size: stored.size, sha256: stored.sha256, contentType: 'application/x-ndjson' },
        failures,
      };
    },

    /** A cancelled batch scan leaves no result rows and no output (scans already billed stay billed). */
    async discardBatchScan(input: BatchScanTarget): Promise<void> {
      await db.withTenant(input.tenantId, async (trx) => {
        await trx('scan_items').where({ tenant_id: input.tenantId, job_id: input.jobId }).del();
        await trx('files').where({ tenant_id: input.tenantId, id: input.jobId }).del();
      });
      await files.delete(fileKey(input.tenantId, input.jobId));
    },
  };
}

/** A scanned item as a FHIR R4 Observation (RxNorm code, interaction risk, the patient when known). */
export function scanObservation(
  jobId: string,
  row: { seq: number; item: ScanItem; scan_id: string; result: ScanFinding | null },
): Record<string, unknown> & { id: string } {
  const finding = row.result;
  return {
    resourceType: 'Observation',
    id: `hub-scan-${jobId}-${row.seq}`,
    status: 'final',
    identifier: [{ system: 'urn:integration-hub:scan', value: row.scan_id }],
    code: {
      coding: finding ? [{ system: 'http://www.nlm.nih.gov/research/umls/rxnorm', code: finding.rxcui, display: finding.normalizedName }] : [],
      text: `Medication scan: ${row.item.medication ?? `NDC ${row.item.ndc}`}`,
    },
    ...(row.item.patientRef ? { subject: { reference: row.item.patientRef } } : {}),
    ...(finding ? { valueString: `interaction risk: ${finding.interactionRisk}${finding.flags.length > 0 ? ` (${finding.flags.join(', ')})` : ''}` } : {}),
  };
}

/**
 * Heartbeats every few seconds while `work` waits on the provider, so that a short heartbeat
 * timeout detects a dead worker quickly without failing slow provider calls.
 */
async function heartbeatingWhile<T>(details: unknown, work: () => Promise<T>): Promise<T> {
  const context = Context.current();
  const timer = setInterval(() => context.heartbeat(details), 5_000);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
