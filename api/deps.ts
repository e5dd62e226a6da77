import { type Client } from '@temporalio/client';
import { type HubConfig } from '../platform/config';
import { type Database } from '../platform/db';
import { type Logger } from '../platform/logger';
import { type HubMetrics } from '../platform/metrics';
import { type Vault } from '../platform/vault/vault';

/** What the API's handlers receive: the process's shared resources. */
export interface ApiDeps {
  config: HubConfig;
  db: Database;
  temporal: Client;
  logger: Logger;
  metrics: HubMetrics;
  /** Encrypts connector credentials (write-only in the API). */
  vault: Vault;
}
