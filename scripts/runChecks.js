// @ts-check
'use strict';
/**
 * `npm run checks` (the first step of `npm test`): runs the static checks — typecheck, lint,
 * format check, console build — at the same time. Each is one single-threaded process, so on a
 * multi-core machine together they take about as long as the slowest one. Each check's output is
 * printed whole when it ends (never interleaved); the run fails when any check fails, naming it.
 */
const { spawn } = require('node:child_process');

const CHECKS = ['typecheck', 'lint', 'format:check', 'console:build'];
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** @param {string} script @returns {Promise<{ script: string, code: number, seconds: number }>} */
function run(script) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(npm, ['run', '--silent', script], { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    /** @type {Buffer[]} */
    const output = [];
    child.stdout.on('data', (chunk) => output.push(chunk));
    child.stderr.on('data', (chunk) => output.push(chunk));
    child.on('close', (code) => {
      const seconds = (Date.now() - started) / 1000;
      const text = Buffer.concat(output).toString('utf8').trimEnd();
      process.stdout.write(`\n> ${script} (${code === 0 ? 'passed' : `FAILED, exit ${code}`}, ${seconds.toFixed(1)} s)\n${text ? `${text}\n` : ''}`);
      resolve({ script, code: code ?? 1, seconds });
    });
  });
}

Promise.all(CHECKS.map(run)).then((results) => {
  const failed = results.filter((result) => result.code !== 0).map((result) => result.script);
  if (failed.length > 0) {
    console.error(`\nchecks failed: ${failed.join(', ')}`);
    process.exit(1);
  }
  console.log(`\nchecks passed: ${CHECKS.join(', ')}`);
});
