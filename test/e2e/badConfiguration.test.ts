import { randomBytes } from 'node:crypto';
import { cleanEnv, exitOf, spawnEntry } from '../support/processes';

/** A production environment with random secrets; each case below spoils one of them. */
const production = {
  NODE_ENV: 'production',
  HUB_ADMIN_TOKEN: randomBytes(36).toString('base64'),
  HUB_MASTER_KEY: randomBytes(32).toString('base64'),
  // Nothing listens on port 1: a process that got past the check would fail differently.
  DATABASE_APP_URL: 'postgres://hub_app:app-password-long@127.0.0.1:1/hub',
  TEMPORAL_ADDRESS: '127.0.0.1:1',
};

/** A process that cannot start says why in one line and exits non-zero; no stack trace. */
describe('bad configuration', () => {
  it.each([
    ['platform/local/start.ts', { DATABASE_URL: 'nonsense' }, /^Invalid configuration: DATABASE_URL must be a postgres:\/\/.*$/],
    ['api/main.ts', { DATABASE_URL: 'nonsense' }, /^Invalid configuration: DATABASE_URL must be a postgres:\/\/.*$/],
    ['worker/workerMain.ts', { TEMPORAL_ADDRESS: 'nowhere' }, /^Invalid configuration: TEMPORAL_ADDRESS must be host:port.*$/],
    ['api/main.ts', { PORT: 'eighty' }, /^Invalid configuration: PORT .*$/],
    ['api/main.ts', {}, /^api: HUB_ADMIN_TOKEN is not set .*$/],
    ['api/main.ts', { HUB_ADMIN_TOKEN: 'x'.repeat(40) }, /^api: HUB_MASTER_KEY is not set .*$/],
    [
      'api/main.ts',
      { HUB_ADMIN_TOKEN: 'x'.repeat(40), HUB_MASTER_KEY: 'c2hvcnQ=' },
      /^Invalid configuration: HUB_MASTER_KEY must be base64 of exactly 32 bytes.*$/,
    ],
    ['worker/workerMain.ts', {}, /^worker: DATABASE_URL is not set$/],
    // docker-compose.yml's placeholders, in production: refused before anything is connected.
    [
      'api/main.ts',
      { ...production, HUB_ADMIN_TOKEN: 'change-me-change-me-change-me-change-me' },
      /^Refusing to start the api in production: HUB_ADMIN_TOKEN is the development placeholder published in docker-compose\.yml; .*$/,
    ],
    [
      'worker/workerMain.ts',
      { ...production, HUB_MASTER_KEY: 'ZGV2LW9ubHktbWFzdGVyLWtleS1jaGFuZ2UtbWUhISE=' },
      /^Refusing to start the worker in production: HUB_MASTER_KEY is the development placeholder published in docker-compose\.yml; .*$/,
    ],
    [
      'worker/workerMain.ts',
      { ...production, DATABASE_URL: 'postgres://hub_owner:owner-password@127.0.0.1:1/hub' },
      /^Refusing to start the worker in production: DATABASE_URL is set \(the owner connection\); .*$/,
    ],
  ])('%s with %j exits 1 with one line', async (entry, env, expected) => {
    const child = spawnEntry(entry, cleanEnv(env as Record<string, string>));
    const { code } = await exitOf(child);
    expect(code).toBe(1);
    const lines = child
      .output()
      .trim()
      .split('\n')
      .filter((line) => !line.includes('ExperimentalWarning') && !line.includes('--trace-warnings'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(expected);
  });
});
