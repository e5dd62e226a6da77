import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { type CliConfig } from './config';

/** An API error answered in the hub's error shape. */
export class HubApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Array<{ path?: string; message: string }>,
  ) {
    super(message);
  }
}

/** A small typed client for the hub API, used by the CLI. */
export class HubClient {
  constructor(private readonly config: CliConfig) {}

  private headers(auth: 'tenant' | 'admin', extra: Record<string, string> = {}): Record<string, string> {
    if (auth === 'admin') {
      if (!this.config.HUB_ADMIN_TOKEN) throw new Error('HUB_ADMIN_TOKEN is not set (needed for admin commands)');
      return { Authorization: `Bearer ${this.config.HUB_ADMIN_TOKEN}`, ...extra };
    }
    if (!this.config.HUB_API_KEY) throw new Error('HUB_API_KEY is not set (needed for tenant commands)');
    return { 'X-API-Key': this.config.HUB_API_KEY, ...extra };
  }

  /** JSON request; throws HubApiError for error answers. */
  async request<T>(method: string, path: string, options: { auth?: 'tenant' | 'admin'; body?: unknown } = {}): Promise<T> {
    const headers = this.headers(options.auth ?? 'tenant', options.body === undefined ? {} : { 'Content-Type': 'application/json' });
    const response = await fetch(new URL(path, this.config.HUB_URL), {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    const body = text ? (JSON.parse(text) as unknown) : undefined;
    if (!response.ok) {
      const error = (body as { error?: { code: string; message: string; details?: Array<{ path?: string; message: string }> } })?.error;
      throw new HubApiError(response.status, error?.code ?? `HTTP_${response.status}`, error?.message ?? response.statusText, error?.details);
    }
    return body as T;
  }

  /** Streams a local file to `POST /v1/uploads` (raw body, never read whole); answers the upload. */
  async upload(filePath: string): Promise<{ id: string; name: string; size: number; sha256: string; contentType: string }> {
    const stat = await fs.promises.stat(filePath);
    const query = new URLSearchParams({ name: path.basename(filePath) });
    const response = await fetch(new URL(`/v1/uploads?${query}`, this.config.HUB_URL), {
      method: 'POST',
      headers: this.headers('tenant', { 'Content-Type': 'application/octet-stream', 'Content-Length': String(stat.size) }),
      body: Readable.toWeb(fs.createReadStream(filePath)) as unknown as RequestInit['body'],
      duplex: 'half',
    } as RequestInit & { duplex: 'half' });
    const body = (await response.json().catch(() => undefined)) as
      { upload?: { id: string; name: string; size: number; sha256: string; contentType: string }; error?: { code: string; message: string } } | undefined;
    if (!response.ok || !body?.upload)
      throw new HubApiError(response.status, body?.error?.code ?? `HTTP_${response.status}`, body?.error?.message ?? response.statusText);
    return body.upload;
  }

  /** Streams a download into `write`; answers the file name the server suggests. */
  async download(path: string, write: (chunk: Uint8Array) => void | Promise<void>): Promise<{ name?: string; bytes: number }> {
    const response = await fetch(new URL(path, this.config.HUB_URL), { headers: this.headers('tenant') });
    if (!response.ok || !response.body) {
      const body = (await response.json().catch(() => undefined)) as { error?: { code: string; message: string } } | undefined;
      throw new HubApiError(response.status, body?.error?.code ?? `HTTP_${response.status}`, body?.error?.message ?? response.statusText);
    }
    let bytes = 0;
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      bytes += chunk.byteLength;
      await write(chunk);
    }
    const name = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1];
    return { name, bytes };
  }
}
