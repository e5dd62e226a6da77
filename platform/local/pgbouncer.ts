import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { run, versionOf, which } from './exec';

/** The PgBouncer the transaction-mode test runs: Debian bookworm's package (the version apt offers there). */
export const PGBOUNCER_VERSION = '1.18.0';
export const PGBOUNCER_PACKAGE = 'pgbouncer';
export const DEBIAN_PGBOUNCER_PATH = '/usr/sbin/pgbouncer';

function installedVersion(binary: string): string | undefined {
  return /PgBouncer (\d+\.\d+\.\d+)/.exec(versionOf(binary, ['--version']) ?? '')?.[1];
}

/**
 * Finds or installs PgBouncer for test/integration/pgbouncer.test.ts. Idempotent: a present binary
 * of the pinned version is used as is. Else, on Debian as root, `apt-get install pgbouncer=<pin>*`
 * (with `apt-get update` when the package lists do not know it); the package's service is not
 * started (no init system here; the test runs its own process). Anywhere else it says what to install.
 */
export async function ensurePgbouncer(log: (line: string) => void): Promise<{ path: string }> {
  const binary = DEBIAN_PGBOUNCER_PATH;
  const present = fs.existsSync(binary) ? installedVersion(binary) : undefined;
  if (present === PGBOUNCER_VERSION) {
    log(`pgbouncer: already installed at ${binary} (${present})`);
    return { path: binary };
  }
  if (present !== undefined) throw new Error(`pgbouncer at ${binary} is version ${present}; the PgBouncer test is verified with ${PGBOUNCER_VERSION}`);
  const aptGet = which('apt-get');
  if (!aptGet || process.getuid?.() !== 0) {
    throw new Error(`the PgBouncer test needs PgBouncer ${PGBOUNCER_VERSION} at ${binary}: install Debian's ${PGBOUNCER_PACKAGE} package (as root)`);
  }
  const started = Date.now();
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const known = spawnSync('apt-cache', ['show', PGBOUNCER_PACKAGE], { stdio: 'ignore' }).status === 0;
  if (!known) {
    log('pgbouncer: apt-get update');
    await run(aptGet, ['update', '-qq'], { env, timeoutMs: 10 * 60_000 });
  }
  log(`pgbouncer: apt-get install ${PGBOUNCER_PACKAGE}=${PGBOUNCER_VERSION}*`);
  await run(aptGet, ['install', '-y', '-qq', '--no-install-recommends', `${PGBOUNCER_PACKAGE}=${PGBOUNCER_VERSION}*`], { env, timeoutMs: 10 * 60_000 });
  const installed = installedVersion(binary);
  if (installed !== PGBOUNCER_VERSION)
    throw new Error(`apt-get installed PgBouncer ${installed ?? '(none)'} at ${binary}; the test is verified with ${PGBOUNCER_VERSION}`);
  log(`pgbouncer: installed ${PGBOUNCER_PACKAGE} ${installed} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { path: binary };
}
