import { spawn } from 'node:child_process';
import { loadConfig } from '../config';
import { runMain } from '../runMain';
import { ensureTemporalCli } from './temporalCli';

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
    },
  });
  const code = await new Promise<number>((resolve) => child.once('exit', (status, signal) => resolve(status ?? (signal ? 1 : 0))));
  process.exit(code);
});
