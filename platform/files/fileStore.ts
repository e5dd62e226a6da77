import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** What storing an object measured. */
export interface StoredObject {
  size: number;
  sha256: string;
}

/**
 * Object storage for tenant files, with S3 semantics (whole objects addressed by key, written
 * once, read as streams) so an S3-compatible store can replace the local one without touching
 * callers. Keys are `<tenantId>/<fileId>`; bytes never travel through workflow history.
 */
export interface FileStore {
  /** Streams `source` into `key`; fails (and leaves nothing behind) past `maxBytes`. */
  put(key: string, source: Readable | AsyncIterable<Uint8Array>, options?: { maxBytes?: number }): Promise<StoredObject>;
  /** Streams the object. */
  get(key: string): Readable;
  /** Size of the object, or undefined when absent. */
  stat(key: string): Promise<{ size: number } | undefined>;
  delete(key: string): Promise<void>;
  /**
   * A local path for tools that need one (streaming parsers over a file); the caller must not
   * modify it. Stores without local files (S3) lack it: such tools make a bounded temporary copy.
   */
  localPath?(key: string): string;
  /** A short-lived URL that downloads the object without credentials (stores that can sign one: S3). */
  presignedDownloadUrl?(key: string, options: { expiresInSeconds: number; fileName: string; contentType: string }): Promise<string>;
  /** Store keys under `tenantId/`, sorted (checks that nothing was left behind). */
  keysOf(tenantId: string): Promise<string[]>;
  /** Lets go of connections (S3's keep-alive sockets) when the process stops using the store. */
  close?(): void;
}

/** Thrown when an object exceeds the size it may have. */
export class ObjectTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`the file exceeds the limit of ${maxBytes} bytes`);
    this.name = 'ObjectTooLargeError';
  }
}

const KEY = /^[0-9a-f-]{36}\/[A-Za-z0-9._-]{1,200}$/;

/** Refuses a key that is not `<tenantId>/<name>` (no traversal, no other tenant's prefix). */
export function assertFileKey(key: string): void {
  if (!KEY.test(key)) throw new Error(`invalid file key: ${key}`);
}

/** A FileStore on the local file system (default under $HUB_DATA_DIR/files). */
export class LocalFileStore implements FileStore {
  constructor(private readonly root: string) {
    fs.mkdirSync(root, { recursive: true });
  }

  localPath(key: string): string {
    assertFileKey(key);
    return path.join(this.root, key);
  }

  async put(key: string, source: Readable | AsyncIterable<Uint8Array>, options: { maxBytes?: number } = {}): Promise<StoredObject> {
    const target = this.localPath(key);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    const temporary = `${target}.${process.pid}.${Date.now()}.partial`;
    const hash = createHash('sha256');
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        size += chunk.length;
        if (options.maxBytes !== undefined && size > options.maxBytes) {
          callback(new ObjectTooLargeError(options.maxBytes));
          return;
        }
        hash.update(chunk);
        callback(null, chunk);
      },
    });
    const output = fs.createWriteStream(temporary);
    try {
      await pipeline(source, meter, output);
      fs.renameSync(temporary, target);
    } catch (error) {
      // A pipeline that fails early can settle before the file is even opened: remove it only once
      // the stream has let go of it, or the open would recreate it after the removal.
      output.destroy();
      if (!output.closed) await new Promise<void>((resolve) => output.once('close', () => resolve()));
      fs.rmSync(temporary, { force: true });
      throw error;
    }
    return { size, sha256: hash.digest('hex') };
  }

  get(key: string): Readable {
    return fs.createReadStream(this.localPath(key));
  }

  async stat(key: string): Promise<{ size: number } | undefined> {
    try {
      return { size: (await fs.promises.stat(this.localPath(key))).size };
    } catch {
      return undefined;
    }
  }

  async delete(key: string): Promise<void> {
    await fs.promises.rm(this.localPath(key), { force: true });
  }

  async keysOf(tenantId: string): Promise<string[]> {
    const names = await fs.promises.readdir(path.join(this.root, tenantId)).catch(() => [] as string[]);
    return names.map((name) => `${tenantId}/${name}`).sort();
  }
}
