import { pbkdf2 } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { LocalFileStore, ObjectTooLargeError } from '../../platform/files/fileStore';

const TENANT = '00000000-0000-4000-8000-000000000001';

describe('LocalFileStore', () => {
  it('leaves no partial file when a put fails before its file is even open', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-file-store-'));
    const store = new LocalFileStore(root);
    fs.mkdirSync(path.join(root, TENANT));
    // Every thread of libuv's pool busy: the file's open waits until after the size check failed.
    const threads = Number(process.env.UV_THREADPOOL_SIZE ?? 4);
    const busy = Array.from({ length: threads }, () => promisify(pbkdf2)('x', 'y', 200_000, 32, 'sha512'));
    const source = new PassThrough();
    source.end(Buffer.alloc(60));
    await expect(store.put(`${TENANT}/file`, source, { maxBytes: 40 })).rejects.toBeInstanceOf(ObjectTooLargeError);
    await Promise.all(busy);
    await new Promise((resolve) => setTimeout(resolve, 200)); // the open and close queued behind them
    expect(fs.readdirSync(path.join(root, TENANT))).toEqual([]);
    fs.rmSync(root, { recursive: true, force: true });
  });
});
