import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** Thrown when a stream is longer than the temporary copy may be; nothing of the copy is left. */
export class TemporaryCopyTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`the file is larger than the ${maxBytes} bytes a temporary copy may take`);
    this.name = 'TemporaryCopyTooLargeError';
  }
}

/**
 * Copies `source` into a fresh private directory under the OS temporary directory (`TMPDIR`) and
 * yields what `use` yields from the copy's path; the copy is deleted when `use` ends, fails or is
 * abandoned by its consumer. The copy stops, and is deleted, past `maxBytes`: one hostile or
 * mistaken file cannot fill the disk. For tools that need random access to a file (XLSX's zip
 * central directory) when the store has no local path (S3).
 */
export async function* withTemporaryCopy<T>(
  source: Readable,
  options: { maxBytes: number; suffix: string },
  use: (localPath: string) => AsyncGenerator<T>,
): AsyncGenerator<T> {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-copy-'));
  try {
    const copy = path.join(directory, `file${options.suffix}`);
    let size = 0;
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        size += chunk.length;
        callback(size > options.maxBytes ? new TemporaryCopyTooLargeError(options.maxBytes) : null, chunk);
      },
    });
    await pipeline(source, meter, fs.createWriteStream(copy, { mode: 0o600 }));
    yield* use(copy);
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
}
