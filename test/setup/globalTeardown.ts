import { type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** Stops the stack started by globalSetup and removes the workflow bundle. */
export default async function globalTeardown(): Promise<void> {
  const child = (globalThis as { __hubStack?: ChildProcess }).__hubStack;
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  }
  const bundle = process.env.HUB_TEST_WORKFLOW_BUNDLE;
  if (bundle) fs.rmSync(path.dirname(bundle), { recursive: true, force: true });
}
