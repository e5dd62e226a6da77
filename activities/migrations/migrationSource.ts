import { ApplicationFailure } from '@temporalio/common';
import { readTabularFile, TabularFileError } from '../../platform/files/readTabularFile';
import { findTenantFile, openTenantFile } from '../../platform/files/tenantFiles';
import { withConnector } from '../connectors/connectorRuntime';
import { type ActivityDeps } from '../deps';
import { MIGRATION_FAILURE_TYPES } from '../../workflows/contracts';

/** Failure type of a migration whose input is unusable or invalid: not retried, nothing written. */
export const MIGRATION_INVALID = MIGRATION_FAILURE_TYPES.invalid;

export interface MigrationSourceParams {
  uploadId?: string;
  connectorId?: string;
  stream?: string;
}

const invalid = (message: string) => ApplicationFailure.create({ type: MIGRATION_INVALID, message, nonRetryable: true });

/**
 * The legacy dataset, record by record with its line (file line, or position in the stream): an
 * uploaded CSV/NDJSON/XLSX file (streamed; see readTabularFile for the rules) or a connector stream read page by page through the
 * connector runtime (the record's `data`, plus `$externalId`).
 */
export async function* migrationSource(
  deps: Pick<ActivityDeps, 'config' | 'db' | 'logger' | 'vault' | 'files'>,
  tenantId: string,
  params: MigrationSourceParams,
  heartbeat: (details: unknown) => void,
): AsyncGenerator<{ line: number; record: Record<string, unknown> }> {
  if (params.uploadId) {
    const file = await findTenantFile(deps.db, tenantId, params.uploadId, 'upload');
    if (!file) throw invalid(`upload ${params.uploadId} not found`);
    if (file.size === 0) throw invalid('the upload is empty');
    try {
      yield* readTabularFile({ ...file, open: () => openTenantFile(deps.files, file), localPath: deps.files.localPath?.(file.storageKey) });
    } catch (error) {
      if (error instanceof TabularFileError) throw invalid(error.message);
      throw error;
    }
    return;
  }
  let cursor: string | null = null;
  let line = 0;
  for (;;) {
    const page = await withConnector(deps, { tenantId, connectorId: params.connectorId! }, ({ instance }) => instance.readPage(params.stream!, cursor, 1_000));
    for (const record of page.records) {
      line += 1;
      if (record.deleted) continue;
      yield { line, record: { ...record.data, $externalId: record.externalId } };
    }
    heartbeat({ read: line });
    cursor = page.nextCursor;
    if (page.done) return;
  }
}

/** A source field by name; `a.b` reaches into nested objects. */
export function sourceValue(record: Record<string, unknown>, field: string): unknown {
  if (field in record) return record[field];
  let current: unknown = record;
  for (const part of field.split('.')) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}
