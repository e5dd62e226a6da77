import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { run } from '../local/exec';
import { projectRoot } from '../local/paths';

/** The console's sources and its build output (served by the API at /console). */
export const CONSOLE_DIR = path.join(projectRoot, 'console');
export const CONSOLE_DIST = path.join(CONSOLE_DIR, 'dist');
const STAMP = path.join(CONSOLE_DIST, '.source-hash');

function* sourceFiles(directory: string): Generator<string> {
  for (const entry of fs.readdirSync(directory, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'dist' && entry.name !== 'node_modules') yield* sourceFiles(full);
    } else yield full;
  }
}

/** A hash of everything the build reads: the console's files and the lockfile (the library versions). */
export function consoleSourceHash(): string {
  const hash = crypto.createHash('sha256');
  for (const file of [...sourceFiles(CONSOLE_DIR), path.join(projectRoot, 'package-lock.json')]) {
    hash.update(path.relative(projectRoot, file)).update('\0').update(fs.readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

/** True when console/dist is the build of the current sources. */
export function consoleBuildIsCurrent(): boolean {
  return fs.existsSync(path.join(CONSOLE_DIST, 'index.html')) && fs.existsSync(STAMP) && fs.readFileSync(STAMP, 'utf8') === consoleSourceHash();
}

/**
 * Builds the console with Vite when its sources changed since the last build (or `force`), so
 * `npm start` pays for a build only after an edit. The stamp is written last: an interrupted build
 * is redone next time.
 */
export async function ensureConsoleBuilt(log: (line: string) => void, options: { force?: boolean } = {}): Promise<void> {
  if (!options.force && consoleBuildIsCurrent()) {
    log('console: build is current (console/dist)');
    return;
  }
  const started = Date.now();
  const hash = consoleSourceHash();
  await run(
    process.execPath,
    [path.join(projectRoot, 'node_modules/vite/bin/vite.js'), 'build', '--config', path.join(CONSOLE_DIR, 'vite.config.mts'), '--logLevel', 'warn'],
    {
      cwd: projectRoot,
      timeoutMs: 10 * 60_000,
    },
  );
  fs.writeFileSync(STAMP, hash);
  log(`console: built in ${((Date.now() - started) / 1000).toFixed(1)} s into ${path.relative(projectRoot, CONSOLE_DIST)}`);
}
