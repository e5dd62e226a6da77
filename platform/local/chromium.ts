import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { run, versionOf, which } from './exec';

/** The Chromium major version the console's browser tests are verified with (playwright-core 1.65 drives it over CDP). */
export const CHROMIUM_MAJOR = 156;
/** Debian's headless Chromium (package `chromium-headless-shell`): installs cleanly where the browser downloads of Playwright and Puppeteer cannot. */
export const CHROMIUM_PACKAGE = 'chromium-headless-shell';
export const DEBIAN_CHROMIUM_PATH = '/usr/lib/chromium/chromium-headless-shell';

/** Where the browser is: HUB_CHROMIUM_PATH when set, else Debian's package path. */
export function chromiumPath(): string {
  return process.env.HUB_CHROMIUM_PATH ?? DEBIAN_CHROMIUM_PATH;
}

function installedMajor(binary: string): number | undefined {
  const match = /Chromium (\d+)\./.exec(versionOf(binary, ['--version']) ?? '');
  return match ? Number(match[1]) : undefined;
}

/**
 * Finds or installs the headless Chromium the console's browser tests run (and `npm run bench`'s
 * console figures). Idempotent: a present browser of the pinned major version is used as is. Else,
 * on Debian as root, `apt-get install chromium-headless-shell` (with `apt-get update` when the
 * package lists do not know it). Anywhere else it says what to install or to set HUB_CHROMIUM_PATH.
 */
export async function ensureChromium(log: (line: string) => void): Promise<{ path: string }> {
  const binary = chromiumPath();
  const present = fs.existsSync(binary) ? installedMajor(binary) : undefined;
  if (present === CHROMIUM_MAJOR) {
    log(`chromium: already installed at ${binary} (${CHROMIUM_MAJOR})`);
    return { path: binary };
  }
  if (present !== undefined) throw new Error(`chromium at ${binary} is version ${present}; the console's browser tests are verified with ${CHROMIUM_MAJOR}`);
  if (process.env.HUB_CHROMIUM_PATH) throw new Error(`HUB_CHROMIUM_PATH=${binary} is not an executable Chromium`);
  const aptGet = which('apt-get');
  if (!aptGet || process.getuid?.() !== 0) {
    throw new Error(`the console's browser tests need Chromium ${CHROMIUM_MAJOR}: install Debian's ${CHROMIUM_PACKAGE} (as root) or set HUB_CHROMIUM_PATH`);
  }
  const started = Date.now();
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const known = spawnSync('apt-cache', ['show', CHROMIUM_PACKAGE], { stdio: 'ignore' }).status === 0;
  if (!known) {
    log('chromium: apt-get update');
    await run(aptGet, ['update', '-qq'], { env, timeoutMs: 10 * 60_000 });
  }
  log(`chromium: apt-get install ${CHROMIUM_PACKAGE}`);
  await run(aptGet, ['install', '-y', '-qq', '--no-install-recommends', CHROMIUM_PACKAGE], { env, timeoutMs: 20 * 60_000 });
  const installed = installedMajor(binary);
  if (installed !== CHROMIUM_MAJOR)
    throw new Error(`apt-get installed Chromium ${installed ?? '(none)'} at ${binary}; the console's browser tests are verified with ${CHROMIUM_MAJOR}`);
  log(`chromium: installed ${CHROMIUM_PACKAGE} ${CHROMIUM_MAJOR} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return { path: binary };
}
