import { bundleWorkflowCode } from '@temporalio/worker';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

const READY_MARKER = 'HUB_STACK_READY';
const root = path.resolve(__dirname, '..', '..');

/**
 * Starts one ephemeral stack (embedded Postgres + in-memory Temporal dev server, migrated) in a
 * child process, and bundles the workflows once. Tests read what they need from process.env:
 * DATABASE_URL (owner), DATABASE_APP_PASSWORD, TEMPORAL_ADDRESS, HUB_ADMIN_TOKEN,
 * HUB_TEST_WORKFLOW_BUNDLE.
 */
export default async function globalSetup(): Promise<void> {
  const started = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'platform/local/serveStack.ts')], {
    cwd: root,
    env: { ...process.env, NODE_ENV: 'test' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  readline.createInterface({ input: child.stderr! }).on('line', (line) => {
    stderr.push(line);
    if (process.env.HUB_TEST_VERBOSE === '1') process.stderr.write(`${line}\n`);
  });

  const ready = await new Promise<{ env: Record<string, string>; ownerDatabaseUrl: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`test stack not ready after 240 s:\n${stderr.join('\n')}`)), 240_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`test stack exited (${code}):\n${stderr.join('\n')}`));
    });
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!line.startsWith(READY_MARKER)) return;
      clearTimeout(timer);
      resolve(JSON.parse(line.slice(READY_MARKER.length + 1)));
    });
  });
  child.removeAllListeners('exit');
  (globalThis as { __hubStack?: typeof child }).__hubStack = child;
  Object.assign(process.env, ready.env, { NODE_ENV: 'test' });

  const bundle = await bundleWorkflowCode({ workflowsPath: require.resolve(path.join(root, 'workflows')), logger: quietLogger() });
  const bundlePath = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'hub-bundle-')), 'workflows.js');
  fs.writeFileSync(bundlePath, bundle.code);
  process.env.HUB_TEST_WORKFLOW_BUNDLE = bundlePath;
  process.stderr.write(`\n[test stack] Postgres + Temporal ready and workflows bundled in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

function quietLogger() {
  const noop = () => undefined;
  return { log: noop, trace: noop, debug: noop, info: noop, warn: noop, error: (message: string) => process.stderr.write(`${message}\n`) };
}
