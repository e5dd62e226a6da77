import path from 'node:path';
import { type HubConfig } from '../config';
import { dataDir } from '../local/paths';
import { type FileStore, LocalFileStore } from './fileStore';
import { S3FileStore } from './s3FileStore';

/** The settings that choose and reach the file store. */
export type FileStoreConfig = Pick<
  HubConfig,
  | 'HUB_DATA_DIR'
  | 'HUB_FILES_DIR'
  | 'HUB_FILE_STORE'
  | 'S3_BUCKET'
  | 'S3_REGION'
  | 'S3_ENDPOINT'
  | 'S3_FORCE_PATH_STYLE'
  | 'S3_KEY_PREFIX'
  | 'S3_SSE'
  | 'S3_SSE_KMS_KEY_ID'
  | 'S3_ACCESS_KEY_ID'
  | 'S3_SECRET_ACCESS_KEY'
>;

/**
 * The process's file store: with HUB_FILE_STORE=s3 the bucket S3_BUCKET (every API and worker
 * process sees the same objects), else local files under $HUB_FILES_DIR (default
 * $HUB_DATA_DIR/files). The configuration was validated by loadConfig (a bucket for s3, key pairs
 * whole).
 */
export function createFileStore(config: FileStoreConfig): FileStore {
  if (config.HUB_FILE_STORE === 's3') {
    return new S3FileStore({
      bucket: config.S3_BUCKET!,
      region: config.S3_REGION,
      endpoint: config.S3_ENDPOINT,
      forcePathStyle: config.S3_FORCE_PATH_STYLE,
      keyPrefix: config.S3_KEY_PREFIX,
      serverSideEncryption: config.S3_SSE === 'none' ? undefined : config.S3_SSE,
      kmsKeyId: config.S3_SSE_KMS_KEY_ID,
      credentials:
        config.S3_ACCESS_KEY_ID && config.S3_SECRET_ACCESS_KEY
          ? { accessKeyId: config.S3_ACCESS_KEY_ID, secretAccessKey: config.S3_SECRET_ACCESS_KEY }
          : undefined,
    });
  }
  return new LocalFileStore(config.HUB_FILES_DIR ? path.resolve(config.HUB_FILES_DIR) : path.join(dataDir(config.HUB_DATA_DIR), 'files'));
}

/** Storage key of a file: `<tenantId>/<name>`. */
export function fileKey(tenantId: string, name: string): string {
  return `${tenantId}/${name}`;
}
