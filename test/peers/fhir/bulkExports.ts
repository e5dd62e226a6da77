import { randomUUID } from 'node:crypto';
import { type Resource } from '@medplum/fhirtypes';

export interface ExportJob {
  id: string;
  request: string;
  transactionTime: string;
  readyAt: number;
  /** NDJSON files by name, with their manifest entry. */
  files: Map<string, { type: string; kind: 'output' | 'deleted'; lines: string[] }>;
  /** When each status poll arrived (ms), for assertions on Retry-After. */
  polls: number[];
}

/**
 * Bulk Data `$export` jobs: a snapshot taken at kick-off (`transactionTime`), split into NDJSON
 * files of at most `fileSize` resources per type, plus `deleted` files (Bulk Data 2.0: one
 * transaction Bundle per line with `DELETE` requests) for resources deleted after `_since`.
 */
export class BulkExports {
  readonly jobs = new Map<string, ExportJob>();

  constructor(
    private readonly fileSize: number,
    private readonly delayMs: number,
  ) {}

  create(request: string, snapshot: Map<string, Resource[]>, deletions: Array<{ resourceType: string; id: string }>): ExportJob {
    const job: ExportJob = {
      id: randomUUID(),
      request,
      transactionTime: new Date().toISOString(),
      readyAt: Date.now() + this.delayMs,
      files: new Map(),
      polls: [],
    };
    for (const [type, resources] of snapshot) {
      for (let start = 0, part = 1; start < resources.length; start += this.fileSize, part += 1) {
        const lines = resources.slice(start, start + this.fileSize).map((resource) => JSON.stringify(resource));
        job.files.set(`${type}-${part}.ndjson`, { type, kind: 'output', lines });
      }
    }
    const deletedLines = deletions.map(({ resourceType, id }) =>
      JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry: [{ request: { method: 'DELETE', url: `${resourceType}/${id}` } }] }),
    );
    if (deletedLines.length) job.files.set('deleted-1.ndjson', { type: 'Bundle', kind: 'deleted', lines: deletedLines });
    this.jobs.set(job.id, job);
    return job;
  }

  /** The completion manifest (`requiresAccessToken`: files need the bearer token). */
  manifest(job: ExportJob, fileUrl: (name: string) => string): Record<string, unknown> {
    const entries = [...job.files.entries()];
    return {
      transactionTime: job.transactionTime,
      request: job.request,
      requiresAccessToken: true,
      output: entries.filter(([, file]) => file.kind === 'output').map(([name, file]) => ({ type: file.type, url: fileUrl(name), count: file.lines.length })),
      deleted: entries.filter(([, file]) => file.kind === 'deleted').map(([name, file]) => ({ type: 'Bundle', url: fileUrl(name), count: file.lines.length })),
      error: [],
    };
  }
}
