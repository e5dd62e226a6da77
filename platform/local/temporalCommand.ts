import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { loadConfig, type HubConfig } from '../config';
import { runMain } from '../runMain';
import { dataDir } from './paths';
import { type LocalSecrets } from './secrets';
import { ensureTemporalCli } from './temporalCli';

/**
 * Payloads are encrypted (platform/temporal/payloadEncryption.ts): the CLI decodes them through the
 * API's codec server with the platform admin token ($HUB_ADMIN_TOKEN, else the one `npm start`
 * generated). Variables the caller set itself win; without a token the CLI shows ciphertext.
 */
function codecEnvironment(config: HubConfig): Record<string, string> {
  const token = config.HUB_ADMIN_TOKEN ?? localAdminToken(config);
  if (process.env.TEMPORAL_CODEC_ENDPOINT || !token) return {};
  const api = (config.PUBLIC_URL ?? `http://127.0.0.1:${config.PORT}`).replace(/\/$/, '');
  return { TEMPORAL_CODEC_ENDPOINT: `${api}/codec`, TEMPORAL_CODEC_AUTH: process.env.TEMPORAL_CODEC_AUTH ?? `Bearer ${token}` };
}

function localAdminToken(config: HubConfig): string | undefined {
  const file = path.join(dataDir(config.HUB_DATA_DIR), 'local-secrets.json');
  if (!fs.existsSync(file)) return undefined;
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<LocalSecrets>).adminToken;
}

/**
 * `npm run temporal -- <args>`: the provisioned Temporal CLI (not necessarily on PATH) pointed at
 * the hub's Temporal: $TEMPORAL_ADDRESS when configured, else the dev server `npm start` runs on
 * $TEMPORAL_PORT; namespace $TEMPORAL_NAMESPACE. E.g. `npm run temporal -- workflow list`.
 */
runMain('temporal', async () => {
  const config = loadConfig();
  // Only an install is worth a line; the CLI's own output follows.
  const cli = await ensureTemporalCli((line) => {
    if (!/: (using|already installed)/.test(line)) process.stderr.write(`[hub] ${line}\n`);
  });
  const args = process.argv.slice(2);
  const child = spawn(cli.path, args, {
    stdio: 'inherit',
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: config.TEMPORAL_ADDRESS ?? `127.0.0.1:${config.TEMPORAL_PORT}`,
      TEMPORAL_NAMESPACE: config.TEMPORAL_NAMESPACE,
      ...codecEnvironment(config),
    },
  });
  const code = await new Promise<number>((resolve) => child.once('exit', (status, signal) => resolve(status ?? (signal ? 1 : 0))));
  process.exit(code);
});
