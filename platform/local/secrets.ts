import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** Secrets the embedded stack generates once and keeps under $HUB_DATA_DIR (mode 0600). */
export interface LocalSecrets {
  /** Superuser password of the embedded Postgres. */
  postgresPassword: string;
  /** Password of the hub_app login role. */
  appDbPassword: string;
  /** Platform admin bearer token (HUB_ADMIN_TOKEN) when none is configured. */
  adminToken: string;
  /** Vault master key (base64, 32 bytes) when none is configured. */
  masterKey: string;
}

const generators: { [K in keyof LocalSecrets]: () => string } = {
  postgresPassword: () => randomBytes(18).toString('base64url'),
  appDbPassword: () => randomBytes(18).toString('base64url'),
  adminToken: () => `hub_admin_${randomBytes(24).toString('base64url')}`,
  masterKey: () => randomBytes(32).toString('base64'),
};

/** Reads `local-secrets.json`, generating and persisting any value it lacks. */
export function loadLocalSecrets(dataDirectory: string): LocalSecrets {
  const file = path.join(dataDirectory, 'local-secrets.json');
  fs.mkdirSync(dataDirectory, { recursive: true });
  const existing: Partial<LocalSecrets> = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<LocalSecrets>) : {};
  const secrets = { ...existing } as LocalSecrets;
  let changed = false;
  for (const key of Object.keys(generators) as Array<keyof LocalSecrets>) {
    if (!secrets[key]) {
      secrets[key] = generators[key]();
      changed = true;
    }
  }
  if (changed) {
    const temporary = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
    fs.renameSync(temporary, file);
  }
  return secrets;
}
