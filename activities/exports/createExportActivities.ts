import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { Readable } from 'node:stream';
import { fileKey } from '../../platform/files/createFileStore';
import { storeTenantFile } from '../../platform/files/tenantFiles';
import { type ActivityDeps } from '../deps';
import { type ExportFilter, exportDatasets } from './datasets';
import { partEncoders } from './formats';

export interface ExportTarget {
  tenantId: string;
  jobId: string;
  dataset: string;
  format: string;
  filter: ExportFilter;
}

const partName = (jobId: string, part: number) => `${jobId}.part-${String(part).padStart(5, '0')}`;

function lookup(target: Pick<ExportTarget, 'dataset' | 'format'>) {
  const dataset = exportDatasets[target.dataset];
  const encoder = partEncoders[target.format];
  if (!dataset || !encoder) {
    throw ApplicationFailure.nonRetryable(`cannot export ${target.dataset} as ${target.format}`, 'ExportNotSupported');
  }
  return { dataset, encoder };
}

/**
 * Exports stream a dataset from Postgres to a file in chunks: each chunk is read with keyset
 * pagination inside withTenant (RLS) and written as a part; the final step concatenates the
 * parts into the output file and catalogues it. Every step is idempotent (parts and the output
 * are addressed by job id and overwritten on retry).
 */
export function createExportActivities({ db, files }: Pick<ActivityDeps, 'db' | 'files'>) {
  return {
    async countExportRows(target: ExportTarget): Promise<{ total: number }> {
      const { dataset } = lookup(target);
      const row = (await db.withTenant(target.tenantId, (trx) => dataset.count(trx, target.filter).first())) as { count: string };
      return { total: Number(row.count) };
    },

    async exportChunk(input: ExportTarget & { afterKey: string | null; part: number; limit: number }): Promise<{ rows: number; nextKey: string | null; bytes: number }> {
      const { dataset, encoder } = lookup(input);
      const rows = (await db.withTenant(input.tenantId, (trx) => dataset.chunk(trx, input.filter, input.afterKey, input.limit))) as Array<Record<string, unknown>>;
      Context.current().heartbeat({ part: input.part, rows: rows.length });
      const text = rows.length > 0 ? encoder.encode(dataset.columns, rows) : '';
      const stored = await files.put(fileKey(input.tenantId, partName(input.jobId, input.part)), Readable.from([Buffer.from(text, 'utf8')]));
      const last = rows.at(-1);
      return { rows: rows.length, nextKey: rows.length === input.limit && last ? dataset.keyOf(last) : null, bytes: stored.size };
    },

    async finalizeExport(input: ExportTarget & { parts: number; rows: number; requestedBy: string }): Promise<{ fileId: string; name: string; size: number; sha256: string; contentType: string }> {
      const { dataset, encoder } = lookup(input);
      const fileId = input.jobId;
      const name = `${input.dataset}-${input.jobId.slice(0, 8)}.${encoder.extension}`;
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
      const stored = await storeTenantFile(
        { db, files },
        { tenantId: input.tenantId, id: fileId, purpose: 'job_output', name, contentType: encoder.contentType, source: Readable.from(content()), jobId: input.jobId, createdBy: input.requestedBy },
      );
      for (let part = 0; part < input.parts; part += 1) await files.delete(fileKey(input.tenantId, partName(input.jobId, part)));
      return { fileId, name, size: stored.size, sha256: stored.sha256, contentType: encoder.contentType };
    },

    /** Removes every part and the output of a cancelled export. */
    async discardExport(input: { tenantId: string; jobId: string; parts: number }): Promise<void> {
      for (let part = 0; part < input.parts; part += 1) await files.delete(fileKey(input.tenantId, partName(input.jobId, part)));
      await files.delete(fileKey(input.tenantId, input.jobId));
      await db.withTenant(input.tenantId, (trx) => trx('files').where({ id: input.jobId }).del());
    },
  };
}
