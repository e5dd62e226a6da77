import { type Client } from '@temporalio/client';
import { type HubConfig } from '../platform/config';
import { type Database } from '../platform/db';
import { type FileStore } from '../platform/files/fileStore';
import { type Logger } from '../platform/logger';
import { type HubMetrics } from '../platform/metrics';
import { type ControlPlane } from './controlPlane';
import { type Vault } from '../platform/vault/vault';

/** What the API's handlers receive: the process's shared resources. */
export interface ApiDeps {
  config: HubConfig;
  db: Database;
  temporal: Client;
  logger: Logger;
  metrics: HubMetrics;
  /** Tenant files (uploads, job outputs). */
  files: FileStore;
  /** Credential cache, rate limits, quota, usage metering (see api/controlPlane.ts). */
  controlPlane: ControlPlane;
  /** Encrypts connector credentials (write-only in the API). */
  vault: Vault;
}
