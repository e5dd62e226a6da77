import { Readable } from 'node:stream';
import { ConfigError, errorForHttpStatus, RateLimitError, retryAfterMs, TransientError } from '../errors';
import { DEFAULT_LOOKBACK_SECONDS, lookBack, lookbackMs } from '../lookback';
import { ResponseTooLargeError } from '../../platform/network/guardedNetwork';
import { asConfigError } from '../network';
import { classifyTransportError } from '../transportErrors';
import { type ConnectorContext, type ConnectorRecord, type ReadPageResult } from '../types';
import { type FhirClient, type FhirKitModule } from './fhirKit';
import { type BulkCursor } from './cursor';
import { type FhirSession } from './session';
import { type FhirConfig, type FhirCredentials } from './schemas';
import { vendorPreset } from './vendorPresets';

/** Polling waits at least this long, and at most this long, whatever Retry-After says. */
const MIN_POLL_MS = 500;
const MAX_POLL_MS = 120_000;
const DEFAULT_POLL_MS = 5_000;
const MAX_FILE_BYTES = 4 * 1024 * 1024 * 1024;

interface Manifest {
  transactionTime: string;
  requiresAccessToken?: boolean;
  output?: Array<{ type: string; url: string }>;
  deleted?: Array<{ type: string; url: string }>;
  error?: Array<{ type: string; url: string }>;
}

/**
 * Bulk Data Access `$export` (FHIR Bulk Data IG 2.0) for one stream: kick-off with
 * `Prefer: respond-async` and `_type`/`_since`, poll the `Content-Location` status URL honouring
 * Retry-After (heartbeating), then read the NDJSON output a page at a time, streamed (no line longer
 * than CONNECTOR_MAX_LINE_BYTES is buffered; a longer one fails the read); `deleted` files (Bundles
 * of DELETE requests) become deletions. The manifest's `transactionTime` is the next `_since`.
 */
export class BulkExportReader {
  constructor(
    private readonly context: ConnectorContext<FhirConfig, FhirCredentials>,
    private readonly session: FhirSession,
    private readonly fhirKit: () => Promise<FhirKitModule>,
  ) {}

  async readPage(stream: string, cursor: BulkCursor, pageSize: number): Promise<ReadPageResult> {
    let position = cursor;
    if (!position.files) {
      const since = position.since ? lookBack(position.since, lookbackMs(this.context.config.cursorLookbackSeconds, DEFAULT_LOOKBACK_SECONDS.fhir)) : null;
      const statusUrl = position.job?.statusUrl ?? (await this.kickOff(stream, since));
      let manifest: Manifest | null;
      try {
        manifest = await this.waitForManifest(statusUrl);
      } catch (error) {
        // The server forgot the job (expired, restarted): start a new export on the next read.
        if (!(error instanceof ConfigError && (error.code === 404 || error.code === 410))) throw error;
        this.context.logger.warn({ connectorId: this.context.connectorId, stream }, 'fhir: export job gone, starting over');
        return { records: [], nextCursor: JSON.stringify({ ...position, job: null } satisfies BulkCursor), done: false };
      }
      if (!manifest) {
        // Still running after this read's polling budget: hand the job back; the next read keeps polling.
        return { records: [], nextCursor: JSON.stringify({ ...position, job: { statusUrl } } satisfies BulkCursor), done: false };
      }
      const items = [
        ...(manifest.output ?? []).filter((file) => file.type === stream).map((file) => ({ url: file.url, kind: 'output' as const })),
        ...(manifest.deleted ?? []).map((file) => ({ url: file.url, kind: 'deleted' as const })),
      ];
      position = {
        ...position,
        job: null,
        files: { statusUrl, transactionTime: manifest.transactionTime, requiresAccessToken: manifest.requiresAccessToken ?? false, items, index: 0, line: 0 },
      };
    }
    return this.readFiles(stream, position, pageSize);
  }

  private async kickOff(stream: string, since: string | null): Promise<string> {
    const { config } = this.context;
    const level = config.groupId ? `Group/${config.groupId}/` : vendorPreset(config).exportLevel === 'group' ? null : '';
    if (level === null) throw new ConfigError(`fhir: ${vendorPreset(config).name} exports per Group: set groupId for readMode bulk`, 'GROUP_REQUIRED');
    const params = new URLSearchParams({ _type: stream, _outputFormat: 'application/fhir+ndjson', ...(since ? { _since: since } : {}) });
    const { Client } = await this.fhirKit();
    const result = await this.session.call('fhir $export kick-off', (client: FhirClient, options) =>
      client.request(`${level}$export?${params.toString()}`, {
        options: { ...options, headers: { prefer: 'respond-async', accept: 'application/fhir+json' } },
      }),
    );
    const response = Client.httpFor(result).response;
    const location = response?.headers.get('content-location');
    if (response?.status !== 202 || !location)
      throw new ConfigError(
        `fhir $export kick-off answered ${response?.status ?? '?'} without Content-Location (does the server support Bulk Data?)`,
        'NO_BULK_EXPORT',
      );
    return this.session.assertSameOrigin(new URL(location, `${config.baseUrl.replace(/\/+$/, '')}/`).toString(), 'export status URL');
  }

  /** Polls until the manifest is ready (resolves it) or the polling budget is spent (resolves null). */
  private async waitForManifest(statusUrl: string): Promise<Manifest | null> {
    const deadline = Date.now() + (this.context.config.exportPollTimeoutSeconds ?? 300) * 1000;
    const { Client } = await this.fhirKit();
    for (let polls = 1; ; polls += 1) {
      let waitMs: number;
      try {
        const result = await this.session.call('fhir $export status', (client, options) =>
          client.request(this.session.assertSameOrigin(statusUrl, 'export status URL'), { options: { ...options, headers: { accept: 'application/json' } } }),
        );
        const response = Client.httpFor(result).response;
        if (response?.status === 200) return result as unknown as Manifest;
        const progress = response?.headers.get('x-progress') ?? null;
        this.context.heartbeat?.({ phase: 'export', statusUrl, polls, progress });
        waitMs = retryAfterMs(response?.headers.get('retry-after'), DEFAULT_POLL_MS);
      } catch (error) {
        // Servers may answer 429 to polls that come too fast: that is a longer wait, not a failure.
        if (!(error instanceof RateLimitError)) throw error;
        waitMs = error.retryAfterMs;
        this.context.heartbeat?.({ phase: 'export', statusUrl, polls, progress: 'throttled' });
      }
      const delay = Math.min(MAX_POLL_MS, Math.max(MIN_POLL_MS, waitMs));
      if (Date.now() + delay > deadline) return null;
      await sleep(delay, this.context.signal);
    }
  }

  private async readFiles(stream: string, cursor: BulkCursor, pageSize: number): Promise<ReadPageResult> {
    const files = cursor.files!;
    const records: ConnectorRecord[] = [];
    let { index, line } = files;
    while (index < files.items.length && records.length < pageSize) {
      const item = files.items[index]!;
      const { lines, exhausted } = await this.readLines(item.url, files.requiresAccessToken, line, pageSize - records.length);
      for (const text of lines) records.push(...toRecords(text, item.kind, stream, files.transactionTime));
      line += lines.length;
      this.context.heartbeat?.({ phase: 'download', file: index + 1, files: files.items.length, line });
      if (exhausted) {
        index += 1;
        line = 0;
      }
    }
    if (index < files.items.length) {
      return { records, nextCursor: JSON.stringify({ ...cursor, files: { ...files, index, line } } satisfies BulkCursor), done: false };
    }
    await this.cleanUp(files.statusUrl);
    return { records, nextCursor: JSON.stringify({ mode: 'bulk', since: files.transactionTime, job: null, files: null } satisfies BulkCursor), done: true };
  }

  /** Lines `skip`… of an NDJSON file, at most `take`; stops downloading once it has them. */
  private async readLines(url: string, requiresAccessToken: boolean, skip: number, take: number): Promise<{ lines: string[]; exhausted: boolean }> {
    const headers: Record<string, string> = { Accept: 'application/fhir+ndjson' };
    if (requiresAccessToken) {
      this.session.assertSameOrigin(url, 'export file URL');
      headers.Authorization = `Bearer ${await this.session.tokens.token()}`;
    }
    let response: Response;
    try {
      response = await this.context.network.fetch(url, { headers, signal: this.context.signal, timeoutMs: 10 * 60_000, maxResponseBytes: MAX_FILE_BYTES });
    } catch (error) {
      throw classifyTransportError(error, 'fhir $export download');
    }
    if (response.status === 401 && requiresAccessToken && this.session.tokens.invalidate()) {
      await response.body?.cancel();
      return this.readLines(url, requiresAccessToken, skip, take);
    }
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      throw errorForHttpStatus(response.status, `fhir $export download: HTTP ${response.status}`, response.headers.get('retry-after'));
    }
    const input = Readable.fromWeb(response.body as never);
    const lines: string[] = [];
    let seen = 0;
    let exhausted = true;
    try {
      for await (const text of boundedLines(input, this.context.network.limits.maxLineBytes)) {
        if (!text.trim()) continue;
        seen += 1;
        if (seen <= skip) continue;
        if (lines.length === take) {
          exhausted = false;
          break;
        }
        lines.push(text);
      }
    } catch (error) {
      // Past the line (or file) limit: the same file fails the same way again, so no retry.
      const oversized = asConfigError(error);
      if (oversized !== error) throw oversized;
      throw new TransientError(`fhir $export download interrupted: ${(error as Error).message}`, 'DOWNLOAD_INTERRUPTED', { cause: error });
    } finally {
      input.destroy();
    }
    return { lines, exhausted };
  }

  /** Tells the server the files may go (best effort: they expire anyway). */
  private async cleanUp(statusUrl: string): Promise<void> {
    try {
      await this.session.call('fhir $export delete', (client, options) => client.request(statusUrl, { method: 'DELETE', options }));
    } catch (error) {
      this.context.logger.info({ connectorId: this.context.connectorId, error: (error as Error).message }, 'fhir: export clean-up failed (ignored)');
    }
  }
}

/**
 * The lines of a byte stream (LF or CRLF), decoded as UTF-8. A line longer than `maxBytes` fails
 * with ResponseTooLargeError as soon as that many bytes of it arrived: it is never buffered whole.
 */
export async function* boundedLines(input: AsyncIterable<Buffer>, maxBytes: number): AsyncGenerator<string> {
  const tooLong = () => new ResponseTooLargeError(maxBytes, 'CONNECTOR_MAX_LINE_BYTES', 'a line of the NDJSON file');
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const chunk of input) {
    let start = 0;
    for (let end = chunk.indexOf(10, start); end !== -1; end = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, end);
      if (pendingBytes + piece.length > maxBytes) throw tooLong();
      const line = pendingBytes > 0 ? Buffer.concat([...pending, piece]) : piece;
      pending = [];
      pendingBytes = 0;
      yield line.toString('utf8').replace(/\r$/, '');
      start = end + 1;
    }
    const rest = chunk.subarray(start);
    if (pendingBytes + rest.length > maxBytes) throw tooLong();
    if (rest.length > 0) {
      pending.push(rest);
      pendingBytes += rest.length;
    }
  }
  if (pendingBytes > 0) yield Buffer.concat(pending).toString('utf8').replace(/\r$/, '');
}

function toRecords(text: string, kind: 'output' | 'deleted', stream: string, transactionTime: string): ConnectorRecord[] {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new TransientError('fhir $export: a line of the NDJSON output is not JSON', 'BAD_NDJSON');
  }
  if (kind === 'output') {
    const meta = parsed.meta as { lastUpdated?: string } | undefined;
    return [{ externalId: String(parsed.id), sourceUpdatedAt: meta?.lastUpdated ?? null, data: parsed }];
  }
  const entries = (parsed.entry as Array<{ request?: { method?: string; url?: string } }> | undefined) ?? [];
  return entries
    .filter((entry) => entry.request?.method === 'DELETE' && entry.request.url?.startsWith(`${stream}/`))
    .map((entry) => {
      const id = entry.request!.url!.slice(stream.length + 1);
      return { externalId: id, sourceUpdatedAt: transactionTime, deleted: true, data: { resourceType: stream, id } };
    });
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
