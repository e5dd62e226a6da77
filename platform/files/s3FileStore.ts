import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  type S3ClientConfig,
  type ServerSideEncryption,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { createHash } from 'node:crypto';
import { Readable, Transform } from 'node:stream';
import { assertFileKey, type FileStore, ObjectTooLargeError, type StoredObject } from './fileStore';

/** How an {@link S3FileStore} reaches its bucket. */
export interface S3FileStoreOptions {
  bucket: string;
  region: string;
  /** An S3-compatible server's URL; unset: AWS S3. */
  endpoint?: string;
  forcePathStyle?: boolean;
  /** Prepended to every key (one bucket, several deployments): empty or ending in `/`. */
  keyPrefix?: string;
  /** Server-side encryption asked for on every object written; undefined: the bucket's default. */
  serverSideEncryption?: 'AES256' | 'aws:kms';
  kmsKeyId?: string;
  /** A static key; unset: the SDK's default credential chain (AWS_* variables, profiles, roles). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Size of one multipart part; S3 needs at least 5 MiB. */
  partSize?: number;
  /** Parts uploaded at once per stream. */
  queueSize?: number;
}

const MIN_PART_SIZE = 5 * 1024 * 1024;

/**
 * A FileStore on an S3-compatible bucket (`@aws-sdk/client-s3`). Writes stream through
 * `@aws-sdk/lib-storage`'s Upload: a body that fits one part is one PutObject, a bigger one a
 * multipart upload with a few parts in flight, so memory stays at `partSize × queueSize` whatever
 * the file's size. A body past `maxBytes` fails the upload, which aborts the multipart upload: no
 * parts and no object are left, and an earlier object under the key stays as it was (like the
 * local store's rename). It has no `localPath`: tools that need a file on disk make a bounded
 * temporary copy (see readTabularFile).
 */
export class S3FileStore implements FileStore {
  readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;

  constructor(private readonly options: S3FileStoreOptions) {
    const config: S3ClientConfig = {
      region: options.region,
      forcePathStyle: options.forcePathStyle ?? false,
      // S3-compatible servers differ in their support of the newer flexible checksums (CRC32 on
      // every request): with an endpoint, checksums only where S3 requires them. The store hashes
      // every object itself (sha256, kept in the catalogue).
      ...(options.endpoint ? { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' } : {}),
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      ...(options.credentials ? { credentials: options.credentials } : {}),
    };
    this.client = new S3Client(config);
    this.bucket = options.bucket;
    this.prefix = options.keyPrefix ?? '';
  }

  /** The bucket's object key of a store key. */
  objectKey(key: string): string {
    assertFileKey(key);
    return `${this.prefix}${key}`;
  }

  async put(key: string, source: Readable | AsyncIterable<Uint8Array>, options: { maxBytes?: number } = {}): Promise<StoredObject> {
    const objectKey = this.objectKey(key);
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
    const input = source instanceof Readable ? source : Readable.from(source, { objectMode: false });
    input.on('error', (error) => meter.destroy(error));
    input.pipe(meter);
    let failure: unknown;
    meter.on('error', (error) => (failure ??= error));
    const upload = new Upload({
      client: this.client,
      params: {
        Bucket: this.bucket,
        Key: objectKey,
        Body: meter,
        ...(this.options.serverSideEncryption ? { ServerSideEncryption: this.options.serverSideEncryption as ServerSideEncryption } : {}),
        ...(this.options.kmsKeyId ? { SSEKMSKeyId: this.options.kmsKeyId } : {}),
      },
      partSize: Math.max(this.options.partSize ?? MIN_PART_SIZE, MIN_PART_SIZE),
      queueSize: this.options.queueSize ?? 2,
      // A failed upload aborts its multipart upload: no orphan parts to pay for.
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (error) {
      input.unpipe(meter);
      if (source instanceof Readable) source.resume();
      // The SDK wraps a failing body; the caller is owed the body's own error (ObjectTooLargeError).
      throw failure ?? error;
    }
    if (failure) throw failure;
    return { size, sha256: hash.digest('hex') };
  }

  get(key: string): Readable {
    const objectKey = this.objectKey(key);
    const { client, bucket } = this;
    async function* body(): AsyncGenerator<Buffer> {
      let response;
      try {
        response = await client.send(new GetObjectCommand({ Bucket: bucket, Key: objectKey }));
      } catch (error) {
        throw isNotFound(error) ? notFound(key) : error;
      }
      for await (const chunk of response.Body as Readable) yield chunk as Buffer;
    }
    return Readable.from(body(), { objectMode: false });
  }

  async stat(key: string): Promise<{ size: number } | undefined> {
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
      return { size: head.ContentLength ?? 0 };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    // S3 answers 204 for an absent key too: deleting is idempotent, as the local store's.
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
  }

  /**
   * A URL that downloads the object without credentials until `expiresInSeconds` pass, answering
   * with the given file name and content type.
   */
  presignedDownloadUrl(key: string, options: { expiresInSeconds: number; fileName: string; contentType: string }): Promise<string> {
    const command = new GetObjectCommand({
      Bucket: this.bucket,
      Key: this.objectKey(key),
      ResponseContentType: options.contentType,
      ResponseContentDisposition: `attachment; filename="${options.fileName.replace(/["\\\r\n]/g, '')}"`,
    });
    return getSignedUrl(this.client, command, { expiresIn: options.expiresInSeconds });
  }

  /** Store keys under `tenantId/` (tests and operators checking that nothing was left behind). */
  async keysOf(tenantId: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: `${this.prefix}${tenantId}/`, ...(token ? { ContinuationToken: token } : {}) }),
      );
      for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key.slice(this.prefix.length));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys.sort();
  }

  close(): void {
    this.client.destroy();
  }
}

function isNotFound(error: unknown): boolean {
  const failure = error as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  return failure?.name === 'NoSuchKey' || failure?.name === 'NotFound' || failure?.$metadata?.httpStatusCode === 404;
}

/** Shaped like the local store's missing-file error, so callers need not know the store. */
function notFound(key: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`no such file in the store: ${key}`);
  error.code = 'ENOENT';
  return error;
}
