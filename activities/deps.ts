import { type Client } from '@temporalio/client';
import { type HubConfig } from '../platform/config';
import { type Database } from '../platform/db';
import { type FileStore } from '../platform/files/fileStore';
import { type Logger } from '../platform/logger';
import { type HubMetrics } from '../platform/metrics';
import { type Vault } from '../platform/vault/vault';

/** What activity factories receive: the process's shared resources, never globals. */
export interface ActivityDeps {
  config: HubConfig;
  db: Database;
  logger: Logger;
  /** Tenant files (uploads, job outputs). */
  files: FileStore;
  /** Decrypts and re-encrypts connector credentials (and webhook signing secrets). */
  vault: Vault;
  /** The process's Prometheus series (job, sync and webhook outcomes). */
  metrics: HubMetrics;
  /** Temporal client on the worker's connection, for activities that start workflows (webhook dispatch). */
  temporal: Client;
}
