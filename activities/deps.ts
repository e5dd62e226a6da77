import { type HubConfig } from '../platform/config';
import { type Database } from '../platform/db';
import { type FileStore } from '../platform/files/fileStore';
import { type Logger } from '../platform/logger';
import { type Vault } from '../platform/vault/vault';

/** What activity factories receive: the process's shared resources, never globals. */
export interface ActivityDeps {
  config: HubConfig;
  db: Database;
  logger: Logger;
  /** Tenant files (uploads, job outputs). */
  files: FileStore;
  /** Decrypts and re-encrypts connector credentials. */
  vault: Vault;
}
