import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { createInterface } from 'node:readline';
import { PassThrough, Readable } from 'node:stream';
import { durationMs } from '../../platform/config';
import { fileKey } from '../../platform/files/createFileStore';
import { ObjectTooLargeError } from '../../platform/files/fileStore';
import { STORAGE_QUOTA_EXCEEDED, StorageQuotaExceededError, storageQuotaOf, storageUsage } from '../../platform/files/storageQuota';
import { storeTenantFile } from '../../platform/files/tenantFiles';
import { type ActivityDeps } from '../deps';
import { type ExportFilter, exportDatasets } from './datasets';
import { documentFormats, PDF_MAX_ROWS, type ReportBranding } from './documents';
import { partEncoders } from './formats';
import { EXPORT_NOT_SUPPORTED } from '../../workflows/contracts';

export interface ExportTarget {
  tenantId: string;
  jobId: string;
  dataset: string;
  format: string;
  filter: ExportFilter;
}

/** Rows per query inside a chunk (read ahead while the previous slice is encoded); small slices keep most garbage young (GC). */
const SLICE_ROWS = 5_000;

const partName = (jobId: string, part: number) => `${jobId}.part-${String(part).padStart(5, '0')}`;

/** The job fails with this (not retried) when its output would take the tenant past its storage quota. */
function quotaFailure(error: StorageQuotaExceededError): ApplicationFailure {
  return ApplicationFailure.nonRetryable(
    `the export would exceed the storage quota of the tenant's plan (${error.quotaBytes} bytes, ${error.usedBytes} in use); nothing was kept: narrow the filter, or export again once older files expired`,
    STORAGE_QUOTA_EXCEEDED,
  );
}

/**
 * The dataset and how its parts are encoded. Document formats (XLSX, PDF) stage their parts as
 * NDJSON and render the document in one pass when finalizing.
 */
function lookup(target: Pick<ExportTarget, 'dataset' | 'format'>) {
  const dataset = exportDatasets[target.dataset];
  const document = documentFormats[target.format];
  const encoder = document ? partEncoders.ndjson : partEncoders[target.format];
  if (!dataset || !encoder) {
    throw ApplicationFailure.nonRetryable(`cannot export ${target.dataset} as ${target.format}`, EXPORT_NOT_SUPPORTED);
  }
  return { dataset, encoder, document };
}

const DEFAULT_PRIMARY = '#1a73e8';
const DEFAULT_SECONDARY = '#3c4043';

/**
 * Exports stream a dataset from Postgres to a file in chunks: each chunk is read with keyset
 * pagination inside withTenant (RLS) and written as a part; the final step concatenates the
 * parts into the output file and catalogues it. Every step is idempotent (parts and the output
 * are addressed by job id and overwritten on retry).
 *
 * Storage quota: staged parts occupy the tenant's storage while the export runs, so each chunk may
 * write only what the quota leaves after the tenant's files and the earlier parts; the output is
 * stored against the quota too. Past it the job fails with STORAGE_QUOTA_EXCEEDED and every part
 * (and any partial output) is deleted first: nothing half-written stays, nothing stays counted.
 */
export function createExportActivities({ config, db, files }: Pick<ActivityDeps, 'config' | 'db' | 'files'>) {
  const deleteParts = async (input: { tenantId: string; jobId: string }, parts: number) => {
    for (let part = 0; part < parts; part += 1) await files.delete(fileKey(input.tenantId, partName(input.jobId, part)));
  };

  /** Bytes the next part may take: the quota less the tenant's files and the parts staged before it. */
  async function roomForPart(input: { tenantId: string; jobId: string; part: number }): Promise<{ room: number; quota: number; used: number }> {
    const [quota, { usedBytes }] = await Promise.all([storageQuotaOf(db, input.tenantId), storageUsage(db, input.tenantId)]);
    let staged = 0;
    for (let part = 0; part < input.part; part += 1) staged += (await files.stat(fileKey(input.tenantId, partName(input.jobId, part))))?.size ?? 0;
    return { room: quota - usedBytes - staged, quota, used: usedBytes + staged };
  }

  /** The tenant's name and white-label colours for report headers. */
  async function reportBranding(target: ExportTarget): Promise<ReportBranding> {
    const tenant = (await db.withTenant(target.tenantId, (trx) => trx('tenants').where({ id: target.tenantId }).first('name', 'branding'))) as {
      name: string;
      branding: Record<string, string> | null;
    };
    const branding = tenant.branding ?? {};
    const companyName = branding.companyName ?? tenant.name;
    return {
      title: `${companyName}: ${target.dataset.replace('_', ' ')} export`,
      companyName,
      primaryColor: branding.primaryColor ?? DEFAULT_PRIMARY,
      secondaryColor: branding.secondaryColor ?? DEFAULT_SECONDARY,
    };
  }

  return {
    async countExportRows(target: ExportTarget): Promise<{ total: number }> {
      const { dataset } = lookup(target);
      const row = (await db.withTenant(target.tenantId, (trx) => dataset.count(trx, target.filter).first())) as { count: string };
      const total = Number(row.count);
      if (target.format === 'pdf' && total > PDF_MAX_ROWS) {
        throw ApplicationFailure.nonRetryable(
          `a PDF report holds at most ${PDF_MAX_ROWS} rows (this export has ${total}); narrow the filter or export CSV/XLSX`,
          'ExportTooLarge',
        );
      }
      return { total };
    },

    /**
     * Writes one chunk as a part, reading it in slices of {@link SLICE_ROWS} with read-ahead: the
     * next slice's query runs in Postgres while the current one is encoded, and encoded slices
     * stream into the file store (no chunk-sized string).
     */
    async exportChunk(
      input: ExportTarget & { afterKey: string | null; part: number; limit: number },
    ): Promise<{ rows: number; nextKey: string | null; bytes: number }> {
      const { dataset, encoder } = lookup(input);
      type Row = Record<string, unknown>;
      const read = (afterKey: string | null, limit: number): Promise<Row[]> => {
        const query = db.withTenant(input.tenantId, (trx) => dataset.chunk(trx, input.filter, afterKey, limit)) as Promise<Row[]>;
        query.catch(() => undefined); // awaited below; a read-ahead abandoned by a failed write must not be unhandled
        return query;
      };
      let rows = 0;
      let lastKey: string | null = null;
      async function* slices(): AsyncGenerator<Buffer> {
        let requested = Math.min(SLICE_ROWS, input.limit);
        let pending: Promise<Row[]> | undefined = read(input.afterKey, requested);
        let first = true;
        while (pending) {
          const slice: Row[] = await pending;
          rows += slice.length;
          const last = slice.at(-1);
          if (last) lastKey = dataset.keyOf(last);
          const remaining = input.limit - rows;
          const more = slice.length === requested && remaining > 0;
          requested = Math.min(SLICE_ROWS, remaining);
          pending = more ? read(lastKey, requested) : undefined;
          if (slice.length === 0) continue;
          if (!first && encoder.separator) yield Buffer.from(encoder.separator, 'utf8');
          first = false;
          yield Buffer.from(encoder.encode(dataset.columns, slice), 'utf8');
          Context.current().heartbeat({ part: input.part, rows });
        }
      }
      const { room, quota, used } = await roomForPart(input);
      let stored;
      try {
        if (room <= 0) throw new ObjectTooLargeError(0);
        stored = await files.put(fileKey(input.tenantId, partName(input.jobId, input.part)), Readable.from(slices()), { maxBytes: room });
      } catch (error) {
        if (!(error instanceof ObjectTooLargeError)) throw error;
        await deleteParts(input, input.part + 1);
        throw quotaFailure(new StorageQuotaExceededError(quota, used));
      }
      return { rows, nextKey: rows === input.limit ? lastKey : null, bytes: stored.size };
    },

    async finalizeExport(
      input: ExportTarget & { parts: number; rows: number; requestedBy: string },
    ): Promise<{ fileId: string; name: string; size: number; sha256: string; contentType: string }> {
      const { dataset, encoder, document } = lookup(input);
      const fileId = input.jobId;
      const extension = document ? document.extension : encoder.extension;
      const contentType = document ? document.contentType : encoder.contentType;
      const name = `${input.dataset}-${input.jobId.slice(0, 8)}.${extension}`;
      async function* stagedRows(): AsyncGenerator<Record<string, unknown>> {
        for (let part = 0; part < input.parts; part += 1) {
          const key = fileKey(input.tenantId, partName(input.jobId, part));
          if (!(await files.stat(key))) continue;
          for await (const line of createInterface({ input: files.get(key), crlfDelay: Infinity })) {
            if (line) yield JSON.parse(line) as Record<string, unknown>;
          }
          Context.current().heartbeat({ rendered: part });
        }
      }
      async function* content(): AsyncGenerator<Buffer> {
        yield Buffer.from(encoder.head(dataset.columns), 'utf8');
        let wroteAny = false;
        for (let part = 0; part < input.parts; part += 1) {
          const key = fileKey(input.tenantId, partName(input.jobId, part));
          const stat = await files.stat(key);
          if (!stat || stat.size === 0) continue;
          if (wroteAny && encoder.separator) yield Buffer.from(encoder.separator, 'utf8');
          wroteAny = true;
          for await (const chunk of files.get(key)) yield chunk as Buffer;
        }
        yield Buffer.from(encoder.tail, 'utf8');
      }
      let source: Readable;
      let rendering: Promise<void> = Promise.resolve();
      if (document) {
        const branding = await reportBranding(input);
        const output = new PassThrough();
        source = output;
        const heading = { generatedAt: new Date(), filters: input.filter, sortBy: dataset.reportOrder };
        rendering = document.render(dataset.columns, stagedRows(), output, branding, heading).catch((error: Error) => {
          output.destroy(error);
        });
      } else {
        source = Readable.from(content());
      }
      const quotaBytes = await storageQuotaOf(db, input.tenantId);
      let stored;
      try {
        [stored] = await Promise.all([
          storeTenantFile(
            { db, files },
            {
              tenantId: input.tenantId,
              id: fileId,
              purpose: 'job_output',
              name,
              contentType,
              source,
              jobId: input.jobId,
              createdBy: input.requestedBy,
              quotaBytes,
              expiresInMs: durationMs(config.HUB_FILE_RETENTION),
            },
          ),
          rendering,
        ]);
      } catch (error) {
        if (!(error instanceof StorageQuotaExceededError)) throw error;
        source.destroy(); // a document still rendering into it stops
        await deleteParts(input, input.parts);
        throw quotaFailure(error);
      }
      await deleteParts(input, input.parts);
      return { fileId, name, size: stored.size, sha256: stored.sha256, contentType };
    },

    /** Removes every part and the output of a cancelled export. */
    async discardExport(input: { tenantId: string; jobId: string; parts: number }): Promise<void> {
      await deleteParts(input, input.parts);
      await files.delete(fileKey(input.tenantId, input.jobId));
      await db.withTenant(input.tenantId, (trx) => trx('files').where({ id: input.jobId }).del());
    },
  };
}
