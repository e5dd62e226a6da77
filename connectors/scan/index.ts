import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ConfigError, ConnectorError, errorForHttpStatus, TransientError } from '../errors';
import { asConfigError } from '../network';
import { defineConnector, type ConnectorContext, type ReadPageResult, type WriteResult } from '../types';
import { MAX_BATCH_ITEMS, MAX_LIST_LIMIT, scanItemSchema, type ScanRecord, type ScanResult } from './schemas';

export const scanConfigSchema = z.strictObject({
  endpoint: z.url().describe('Base URL of the scan provider (its /v1/scans)'),
  batchSize: z.number().int().min(1).max(MAX_BATCH_ITEMS).default(100).describe('Items per provider call'),
});
export const scanCredentialsSchema = z.strictObject({
  apiKey: z.string().min(1).optional().describe('Bearer key of the provider account, if it requires one'),
});
type ScanConfig = z.infer<typeof scanConfigSchema>;
type ScanCredentials = z.infer<typeof scanCredentialsSchema>;

interface ScanCursor {
  v: 1;
  updatedSince: string | null;
  after: string | null;
}

/**
 * The batch medical scan provider (contract in ./scanProtocol.ts), over the guarded fetch.
 * - `write('scans', items)`: POSTs items in batches of `batchSize` with a deterministic
 *   `Idempotency-Key` per batch (a retried activity never scans twice); per-item failures come
 *   back as `ok: false` results, not as an error. Items re-submitted after a failure carry
 *   `attempt: n` (n > 1), which makes their batch a new request.
 * - `readPage('scans')`: the provider's scan history by (`updatedAt`, `scanId`), purged scans as
 *   deletions. Used by the batch-scan job (issue 6) and syncs.
 */
export const scanConnector = defineConnector({
  type: 'scan',
  displayName: 'Batch medical scan provider',
  configSchema: scanConfigSchema,
  credentialsSchema: scanCredentialsSchema,
  urlFields: ['endpoint'],
  streams: () => [
    {
      name: 'scans',
      primaryKey: 'scanId',
      cursorField: 'updatedAt',
      supportsDeletes: true,
      writable: true,
      description: 'Scan results (write: submit medication items; read: scan history)',
    },
  ],
  create: (context) => new ScanInstance(context),
});

class ScanInstance {
  constructor(private readonly context: ConnectorContext<ScanConfig, ScanCredentials>) {}

  async testConnection() {
    const health = await this.request<{ status: string; provider?: string; version?: string }>('GET', '/v1/health');
    return { details: { endpoint: this.context.config.endpoint, provider: health.provider ?? null, version: health.version ?? null } };
  }

  async readPage(stream: string, cursorText: string | null, pageSize: number): Promise<ReadPageResult> {
    this.assertStream(stream);
    const cursor: ScanCursor = cursorText ? (JSON.parse(cursorText) as ScanCursor) : { v: 1, updatedSince: null, after: null };
    const query = new URLSearchParams({ limit: String(Math.min(MAX_LIST_LIMIT, Math.max(1, pageSize))), includeDeleted: 'true' });
    if (cursor.updatedSince) query.set('updatedSince', cursor.updatedSince);
    if (cursor.after) query.set('after', cursor.after);
    const page = await this.request<{ data: ScanRecord[]; hasMore: boolean }>('GET', `/v1/scans?${query.toString()}`);
    const last = page.data.at(-1);
    const next: ScanCursor = last ? { v: 1, updatedSince: last.updatedAt, after: last.scanId } : cursor;
    return {
      records: page.data.map((record) => ({
        externalId: record.scanId,
        sourceUpdatedAt: record.updatedAt,
        deleted: record.deleted === true,
        data: record as unknown as Record<string, unknown>,
      })),
      nextCursor: JSON.stringify(next),
      done: !page.hasMore,
    };
  }

  async write(stream: string, records: Array<Record<string, unknown>>): Promise<WriteResult> {
    this.assertStream(stream);
    const results: WriteResult['results'] = [];
    const size = this.context.config.batchSize;
    for (let start = 0; start < records.length; start += size) {
      const chunk = records.slice(start, start + size);
      const items = chunk.map((record, index) => {
        const parsed = scanItemSchema.safeParse(record);
        if (!parsed.success)
          throw new ConfigError(
            `scan item ${start + index}: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || 'item'}: ${issue.message}`).join('; ')}`,
            'INVALID_ITEM',
          );
        return parsed.data;
      });
      // A record may carry `attempt` (> 1 when the caller re-submits items that failed): a new
      // attempt is a new provider request, not a replay of the first answer.
      const attempts = chunk.map((record) => (typeof record.attempt === 'number' ? record.attempt : 1));
      const hash = createHash('sha256').update(this.context.connectorId).update(JSON.stringify(items));
      if (attempts.some((attempt) => attempt > 1)) hash.update(`#attempts:${attempts.join(',')}`);
      const idempotencyKey = hash.digest('hex');
      const answer = await this.request<{ batchId: string; results: ScanResult[] }>('POST', '/v1/scans', { items }, { 'Idempotency-Key': idempotencyKey });
      for (const result of answer.results) {
        results.push(
          result.status === 'ok'
            ? {
                externalId: result.scanId ?? result.id,
                ok: true,
                created: true,
                ...(result.result ? { data: result.result as unknown as Record<string, unknown> } : {}),
              }
            : { externalId: result.id, ok: false, error: `${result.error?.code ?? 'ERROR'}: ${result.error?.message ?? ''}` },
        );
      }
    }
    return { results };
  }

  private assertStream(stream: string): void {
    if (stream !== 'scans') throw new ConfigError(`unknown scan stream ${stream}`, 'UNKNOWN_STREAM');
  }

  private async request<T>(method: 'GET' | 'POST', path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    const url = `${this.context.config.endpoint.replace(/\/$/, '')}${path}`;
    let response: Response;
    try {
      response = await this.context.network.fetch(url, {
        method,
        headers: {
          Accept: 'application/json',
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...(this.context.credentials.apiKey ? { Authorization: `Bearer ${this.context.credentials.apiKey}` } : {}),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: this.context.signal,
        timeoutMs: 120_000,
      });
    } catch (error) {
      if (error instanceof ConnectorError) throw error;
      throw new TransientError(`scan provider unreachable: ${(error as Error).message}`, 'NETWORK', { cause: error });
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      const oversized = asConfigError(error);
      if (oversized !== error) throw oversized;
      throw new TransientError(`scan provider response interrupted: ${(error as Error).message}`, 'NETWORK', { cause: error });
    }
    if (!response.ok) {
      let code = '';
      try {
        code = (JSON.parse(text) as { error?: { code?: string; message?: string } }).error?.code ?? '';
      } catch {
        code = '';
      }
      throw errorForHttpStatus(response.status, `scan provider answered ${response.status}${code ? ` ${code}` : ''}`, response.headers.get('retry-after'));
    }
    return JSON.parse(text) as T;
  }
}
