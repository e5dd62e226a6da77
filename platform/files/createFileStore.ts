import path from 'node:path';
import { type HubConfig } from '../config';
import { dataDir } from '../local/paths';
import { type FileStore, LocalFileStore } from './fileStore';

/** The process's file store: local files under $HUB_FILES_DIR (default $HUB_DATA_DIR/files). */
export function createFileStore(config: Pick<HubConfig, 'HUB_DATA_DIR' | 'HUB_FILES_DIR'>): FileStore {
  return new LocalFileStore(config.HUB_FILES_DIR ? path.resolve(config.HUB_FILES_DIR) : path.join(dataDir(config.HUB_DATA_DIR), 'files'));
}

/** Storage key of a file: `<tenantId>/<name>`. */
export function fileKey(tenantId: string, name: string): string {
  return `${tenantId}/${name}`;
}
