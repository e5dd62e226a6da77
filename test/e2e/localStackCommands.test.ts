import fs from 'node:fs';
import path from 'node:path';
import { cleanEnv, exitOf, spawnEntry } from '../support/processes';

/**
 * The maintenance commands with no database configured use the local stack as `npm start` does:
 * Postgres on $HUB_PG_PORT with the secrets in $HUB_DATA_DIR/local-secrets.json. The test stack
 * keeps such a file in its data directory, so it stands in for `npm start`'s stack here.
 */
describe('migrate, audit:verify and vault:rotate against the local stack', () => {
  const dataDirectory = process.env.HUB_DATA_DIR!;
  const pgPort = new URL(process.env.DATABASE_URL!).port;
  const localEnv = () => cleanEnv({ HUB_DATA_DIR: dataDirectory, HUB_PG_PORT: pgPort });

  it('finds the stack from local-secrets.json and says so', async () => {
    expect(fs.existsSync(path.join(dataDirectory, 'local-secrets.json'))).toBe(true);
    const migrate = spawnEntry('migrations/run.ts', localEnv());
    expect(await exitOf(migrate)).toEqual({ code: 0, signal: null });
    expect(migrate.output()).toContain(`using the local stack of npm start: Postgres on 127.0.0.1:${pgPort}`);
    expect(migrate.output()).toContain('schema is up to date');

    // The app role's password and the vault's master key come from the same file.
    const verify = spawnEntry('platform/auditVerifyMain.ts', localEnv());
    await exitOf(verify);
    expect(verify.output()).toMatch(/\d+ tenant\(s\) checked/);
    const rotate = spawnEntry('platform/vault/rotateMain.ts', localEnv(), ['--tenant', 'no-such-tenant-here']);
    await exitOf(rotate);
    expect(rotate.output()).toContain('vault:rotate');
    expect(rotate.output()).not.toContain('needs DATABASE_URL');
  });

  it('still asks for DATABASE_URL where no npm start ever ran', async () => {
    const migrate = spawnEntry('migrations/run.ts', cleanEnv({ HUB_DATA_DIR: path.join(dataDirectory, 'nothing-here') }));
    expect((await exitOf(migrate)).code).toBe(1);
    expect(migrate.output()).toContain('DATABASE_URL is not set');
  });
});
