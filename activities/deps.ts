import { type HubConfig } from '../platform/config';
import { type Database } from '../platform/db';
import { type FileStore } from '../platform/files/fileStore';
import { type Logger } from '../platform/logger';

/** What activity factories receive: the process's shared resources, never globals. */
export interface ActivityDeps {
  config: HubConfig;
  db: Database;
  logger: Logger;
  /** Tenant files (uploads, job outputs). */
  files: FileStore;
}
