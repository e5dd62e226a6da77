import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const projectRoot = path.resolve(__dirname, '..', '..');

/** Variables the test stack sets that would stop a child from choosing its own (embedded) stack. */
const STACK_VARIABLES = [
  'DATABASE_URL',
  'DATABASE_APP_URL',
  'DATABASE_APP_PASSWORD',
  'TEMPORAL_ADDRESS',
  'HUB_ADMIN_TOKEN',
  'TEMPORAL_UI_URL',
  'HUB_MASTER_KEY',
];

/** The environment of a fresh shell: this process's, minus what the test stack injected. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_ENV: 'development', LOG_LEVEL: 'warn' };
  for (const name of STACK_VARIABLES) delete env[name];
  return { ...env, ...extra };
}

/** Runs one of the project's TypeScript entry points the way npm scripts do (node --import tsx). */
export function spawnEntry(entry: string, env: NodeJS.ProcessEnv, args: string[] = []): ChildProcess & { output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(projectRoot, entry), ...args], {
    cwd: projectRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return Object.assign(child, { output: () => output });
}

/** Resolves with the exit code (or signal) once the child exits. */
export function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}
