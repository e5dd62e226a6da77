import { cleanEnv, exitOf, spawnEntry } from '../support/processes';

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
