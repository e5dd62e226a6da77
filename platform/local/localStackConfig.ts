import fs from 'node:fs';
import path from 'node:path';
import { type HubConfig } from '../config';
import { dataDir } from './paths';
import { type LocalSecrets } from './secrets';

/** The database the hub uses inside the embedded cluster. */
export const EMBEDDED_DATABASE = 'hub';

/** Owner (superuser) URL of the embedded cluster's hub database. */
export function embeddedOwnerUrl(port: number, password: string): string {
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${EMBEDDED_DATABASE}`;
}

/**
 * For the maintenance commands (`migrate`, `audit:verify`, `vault:rotate`): with no database
 * configured, point at the stack `npm start` runs from $HUB_DATA_DIR (embedded Postgres on
 * $HUB_PG_PORT, the secrets it keeps in local-secrets.json), as `npm start` itself does. Says so on
 * stderr. Without local secrets (no `npm start` ever ran here) the configuration is returned as is.
 */
export function withLocalStackDefaults(config: HubConfig, log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): HubConfig {
  if (config.DATABASE_URL || config.DATABASE_APP_URL) return config;
  const directory = dataDir(config.HUB_DATA_DIR);
  const file = path.join(directory, 'local-secrets.json');
  if (!fs.existsSync(file)) return config;
  const secrets = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<LocalSecrets>;
  if (!secrets.postgresPassword) return config;
  log(`using the local stack of npm start: Postgres on 127.0.0.1:${config.HUB_PG_PORT}, secrets from ${file}`);
  return {
    ...config,
    DATABASE_URL: embeddedOwnerUrl(config.HUB_PG_PORT, secrets.postgresPassword),
    DATABASE_APP_PASSWORD: config.DATABASE_APP_PASSWORD ?? secrets.appDbPassword,
    HUB_MASTER_KEY: config.HUB_MASTER_KEY ?? secrets.masterKey,
  };
}
