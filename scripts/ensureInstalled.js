// @ts-check
'use strict';
/**
 * `prestart` / `pretest`: installs from the lockfile (`npm ci`) when node_modules is missing or
 * older than package-lock.json, so a fresh clone needs only `npm start` or `npm test`.
 * Node built-ins only: it runs before any dependency exists. CI calls `npm ci` itself first,
 * which makes this a no-op there.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const projectRoot = path.resolve(__dirname, '..');

/** @param {string} file */
function mtimeOf(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}

/**
 * Why an install is needed, or undefined when node_modules matches the lockfile. npm writes
 * node_modules/.package-lock.json at the end of every install, so its age is the install's age.
 * @param {string} root
 */
function reasonToInstall(root) {
  const lockfile = mtimeOf(path.join(root, 'package-lock.json'));
  if (lockfile === undefined) return undefined;
  const installed = mtimeOf(path.join(root, 'node_modules', '.package-lock.json'));
  if (installed === undefined) return 'node_modules is missing';
  if (installed < lockfile) return 'node_modules is older than package-lock.json';
  return undefined;
}

const reason = reasonToInstall(projectRoot);
if (reason) {
  process.stdout.write(`[hub] ${reason}: running npm ci\n`);
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: projectRoot, stdio: 'inherit', shell: process.platform === 'win32' });
  if (result.error) {
    process.stderr.write(`[hub] could not run npm ci: ${result.error.message}\n`);
    process.exit(1);
  }
  if (result.status !== 0) process.exit(result.status ?? 1);
}
