import { HeadObjectCommand, ListMultipartUploadsCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { type FileStore, LocalFileStore, ObjectTooLargeError } from '../../platform/files/fileStore';
import { S3FileStore, type S3FileStoreOptions } from '../../platform/files/s3FileStore';
import { startS3Server, type RunningS3Server } from '../support/s3Server';

const MiB = 1024 * 1024;

async function text(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** `count` chunks of `size` bytes each (a stream the store cannot measure before reading it). */
async function* chunks(count: number, size: number, fill = 'x'): AsyncGenerator<Uint8Array> {
  for (let index = 0; index < count; index += 1) yield Buffer.alloc(size, fill);
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

let s3: RunningS3Server;
const localRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-file-contract-'));

beforeAll(async () => {
  s3 = await startS3Server({ bucket: 'hub-contract' });
}, 120_000);

afterAll(async () => {
  await s3?.stop();
  fs.rmSync(localRoot, { recursive: true, force: true });
});

function s3Store(overrides: Partial<S3FileStoreOptions> = {}): S3FileStore {
  return new S3FileStore({ bucket: s3.bucket, region: s3.region, endpoint: s3.endpoint, forcePathStyle: true, credentials: s3.credentials, ...overrides });
}

const stores: Array<[string, () => FileStore]> = [
  ['local', () => new LocalFileStore(localRoot)],
  ['s3', () => s3Store({ keyPrefix: 'contract/' })],
];

describe.each(stores)('FileStore contract: %s', (_name, makeStore) => {
  let store: FileStore;
  let tenant: string;
  beforeEach(() => {
    store = makeStore();
    tenant = randomUUID();
  });

  it('stores a stream and measures it, reads it back, stats and deletes it', async () => {
    const key = `${tenant}/report.csv`;
    const bytes = Buffer.from('email\na@x.io\nb@x.io\n');
    await expect(store.put(key, Readable.from([bytes]))).resolves.toEqual({ size: bytes.length, sha256: sha256(bytes) });
    await expect(text(store.get(key))).resolves.toBe(bytes.toString('utf8'));
    await expect(store.stat(key)).resolves.toEqual({ size: bytes.length });
    await expect(store.keysOf(tenant)).resolves.toEqual([key]);
    await store.delete(key);
    await expect(store.stat(key)).resolves.toBeUndefined();
    await expect(store.keysOf(tenant)).resolves.toEqual([]);
    await expect(store.delete(key)).resolves.toBeUndefined(); // idempotent
  });

  it('replaces an object written again under the same key', async () => {
    const key = `${tenant}/file`;
    await store.put(key, Readable.from([Buffer.from('first version')]));
    await store.put(key, Readable.from([Buffer.from('second')]));
    await expect(text(store.get(key))).resolves.toBe('second');
    await expect(store.stat(key)).resolves.toEqual({ size: 6 });
  });

  it('streams a body of several multipart parts (12 MiB from an async iterable) and hashes it', async () => {
    const key = `${tenant}/big.ndjson`;
    const whole = Buffer.alloc(12 * MiB, 'y');
    await expect(store.put(key, chunks(12 * 16, 64 * 1024, 'y'))).resolves.toEqual({ size: whole.length, sha256: sha256(whole) });
    const read = createHash('sha256');
    let size = 0;
    for await (const chunk of store.get(key)) {
      size += (chunk as Buffer).length;
      read.update(chunk as Buffer);
    }
    expect({ size, sha256: read.digest('hex') }).toEqual({ size: whole.length, sha256: sha256(whole) });
  });

  it('refuses a small body past maxBytes and leaves nothing, not even partly', async () => {
    const key = `${tenant}/too-big`;
    await expect(store.put(key, chunks(4, 100), { maxBytes: 250 })).rejects.toBeInstanceOf(ObjectTooLargeError);
    await expect(store.stat(key)).resolves.toBeUndefined();
    await expect(store.keysOf(tenant)).resolves.toEqual([]);
  });

  it('aborts a multipart upload past maxBytes: no object, the earlier version intact', async () => {
    const key = `${tenant}/export.csv`;
    await store.put(key, Readable.from([Buffer.from('earlier')]));
    // 11 MiB allowed: two 5 MiB parts are sent before the stream passes the limit.
    await expect(store.put(key, chunks(14 * 16, 64 * 1024), { maxBytes: 11 * MiB })).rejects.toBeInstanceOf(ObjectTooLargeError);
    await expect(text(store.get(key))).resolves.toBe('earlier');
    await expect(store.keysOf(tenant)).resolves.toEqual([key]);
  });

  it('passes on the error of a failing source and stores nothing', async () => {
    const key = `${tenant}/broken`;
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield Buffer.from('a first chunk');
      throw new Error('the upload connection broke');
    }
    await expect(store.put(key, failing())).rejects.toThrow('the upload connection broke');
    await expect(store.stat(key)).resolves.toBeUndefined();
  });

  it('keeps concurrent puts apart', async () => {
    const keys = Array.from({ length: 8 }, (_, index) => `${tenant}/part-${index}`);
    const results = await Promise.all(keys.map((key, index) => store.put(key, chunks(index + 1, 1000, String(index)))));
    expect(results.map((result) => result.size)).toEqual(keys.map((_, index) => (index + 1) * 1000));
    const contents = await Promise.all(keys.map((key) => text(store.get(key))));
    contents.forEach((content, index) => expect(content).toBe(String(index).repeat((index + 1) * 1000)));
    await expect(store.keysOf(tenant)).resolves.toEqual([...keys].sort());
  });

  it('answers a missing key: stat undefined, get fails with ENOENT, delete is a no-op', async () => {
    const key = `${tenant}/never-written`;
    await expect(store.stat(key)).resolves.toBeUndefined();
    await expect(text(store.get(key))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(store.delete(key)).resolves.toBeUndefined();
  });

  it('refuses keys outside `<tenantId>/<name>`', async () => {
    expect(() => store.get('../etc/passwd')).toThrow('invalid file key');
    await expect(store.put(`${tenant}/../x`, Readable.from([Buffer.from('x')]))).rejects.toThrow('invalid file key');
  });
});

describe('S3FileStore', () => {
  it('puts every object under the key prefix, so deployments sharing a bucket stay apart', async () => {
    const tenant = randomUUID();
    const prod = s3Store({ keyPrefix: 'hub/prod/' });
    const staging = s3Store({ keyPrefix: 'hub/staging/' });
    await prod.put(`${tenant}/a`, Readable.from([Buffer.from('prod')]));
    const listed = await s3.client().send(new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: `hub/prod/${tenant}/` }));
    expect(listed.Contents?.map((object) => object.Key)).toEqual([`hub/prod/${tenant}/a`]);
    await expect(staging.stat(`${tenant}/a`)).resolves.toBeUndefined();
    await expect(prod.keysOf(tenant)).resolves.toEqual([`${tenant}/a`]);
  });

  it('asks for server-side encryption on single-part and multipart writes when set', async () => {
    const tenant = randomUUID();
    const store = s3Store({ serverSideEncryption: 'AES256' });
    const sent: string[] = [];
    store.client.middlewareStack.add(
      (next, context) => async (args) => {
        const headers = (args.request as { headers?: Record<string, string> }).headers ?? {};
        sent.push(`${context.commandName}:${headers['x-amz-server-side-encryption'] ?? 'none'}`);
        return next(args);
      },
      { step: 'finalizeRequest', name: 'recordSseHeader' },
    );
    await store.put(`${tenant}/small`, Readable.from([Buffer.from('small')]));
    await store.put(`${tenant}/large`, chunks(6 * 16, 64 * 1024));
    expect(sent).toContain('PutObjectCommand:AES256');
    expect(sent).toContain('CreateMultipartUploadCommand:AES256');
    for (const name of ['small', 'large']) {
      const head = await s3.client().send(new HeadObjectCommand({ Bucket: s3.bucket, Key: `${tenant}/${name}` }));
      expect(head.ServerSideEncryption).toBe('AES256');
    }
    const plain = s3Store();
    await plain.put(`${tenant}/plain`, Readable.from([Buffer.from('plain')]));
    const head = await s3.client().send(new HeadObjectCommand({ Bucket: s3.bucket, Key: `${tenant}/plain` }));
    expect(head.ServerSideEncryption ?? 'none').not.toBe('aws:kms');
  });

  it('leaves no multipart upload open after a refused stream', async () => {
    const tenant = randomUUID();
    const store = s3Store({ keyPrefix: 'aborts/' });
    await expect(store.put(`${tenant}/huge`, chunks(20 * 16, 64 * 1024), { maxBytes: 12 * MiB })).rejects.toBeInstanceOf(ObjectTooLargeError);
    const uploads = await s3.client().send(new ListMultipartUploadsCommand({ Bucket: s3.bucket, Prefix: `aborts/${tenant}/` }));
    expect(uploads.Uploads ?? []).toEqual([]);
  });

  it('signs a short-lived download URL that needs no credentials and names the file', async () => {
    const tenant = randomUUID();
    const store = s3Store();
    await store.put(`${tenant}/out`, Readable.from([Buffer.from('id,name\n1,Ada\n')]));
    const url = await store.presignedDownloadUrl(`${tenant}/out`, { expiresInSeconds: 60, fileName: 'people.csv', contentType: 'text/csv' });
    expect(new URL(url).searchParams.get('X-Amz-Expires')).toBe('60');
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="people.csv"');
    await expect(response.text()).resolves.toBe('id,name\n1,Ada\n');
    const unsigned = await fetch(url.split('?')[0]!);
    expect(unsigned.status).toBe(403);
  });

  it('reads an object another process wrote (no local state)', async () => {
    const tenant = randomUUID();
    await s3.client().send(new PutObjectCommand({ Bucket: s3.bucket, Key: `${tenant}/written-elsewhere`, Body: 'from another process' }));
    await expect(text(s3Store().get(`${tenant}/written-elsewhere`))).resolves.toBe('from another process');
  });
});
