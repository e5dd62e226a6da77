import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * scripts/ensureInstalled.js (prestart/pretest) in a throwaway project with a stub `npm` on PATH
 * that records its arguments and writes node_modules/.package-lock.json as a real install does.
 */
describe('ensureInstalled (prestart/pretest)', () => {
  let project: string;
  let calls: string;

  beforeEach(() => {
    project = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-ensure-installed-'));
    fs.mkdirSync(path.join(project, 'scripts'));
    fs.copyFileSync(path.resolve(__dirname, '../../scripts/ensureInstalled.js'), path.join(project, 'scripts', 'ensureInstalled.js'));
    fs.writeFileSync(path.join(project, 'package-lock.json'), '{}\n');
    const bin = path.join(project, 'bin');
    fs.mkdirSync(bin);
    calls = path.join(project, 'npm-calls.txt');
    fs.writeFileSync(
      path.join(bin, 'npm'),
      `#!/bin/sh\necho "$@" >> "${calls}"\nmkdir -p node_modules && echo '{}' > node_modules/.package-lock.json\nexit \${STUB_NPM_EXIT:-0}\n`,
      { mode: 0o755 },
    );
  });
  afterEach(() => fs.rmSync(project, { recursive: true, force: true }));

  function run(extraEnv: NodeJS.ProcessEnv = {}) {
    const result = spawnSync(process.execPath, [path.join(project, 'scripts', 'ensureInstalled.js')], {
      cwd: os.tmpdir(),
      env: { ...process.env, ...extraEnv, PATH: `${path.join(project, 'bin')}${path.delimiter}${process.env.PATH ?? ''}` },
      encoding: 'utf8',
    });
    const npmCalls = fs.existsSync(calls) ? fs.readFileSync(calls, 'utf8').trim().split('\n') : [];
    return { status: result.status, stdout: result.stdout, npmCalls };
  }

  function setAge(file: string, secondsAgo: number) {
    const when = new Date(Date.now() - secondsAgo * 1_000);
    fs.utimesSync(path.join(project, file), when, when);
  }

  it('runs npm ci in the project when node_modules is missing, and says so', () => {
    const result = run();
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('node_modules is missing: running npm ci');
    expect(result.npmCalls).toEqual(['ci --no-audit --no-fund']);
    expect(fs.existsSync(path.join(project, 'node_modules', '.package-lock.json'))).toBe(true);
  });

  it('does nothing when node_modules is newer than the lockfile', () => {
    fs.mkdirSync(path.join(project, 'node_modules'));
    fs.writeFileSync(path.join(project, 'node_modules', '.package-lock.json'), '{}\n');
    setAge('package-lock.json', 60);
    const result = run();
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('');
    expect(result.npmCalls).toEqual([]);
  });

  it('reinstalls when package-lock.json changed after the last install', () => {
    fs.mkdirSync(path.join(project, 'node_modules'));
    fs.writeFileSync(path.join(project, 'node_modules', '.package-lock.json'), '{}\n');
    setAge('node_modules/.package-lock.json', 60);
    const result = run();
    expect(result.stdout).toContain('node_modules is older than package-lock.json: running npm ci');
    expect(result.npmCalls).toEqual(['ci --no-audit --no-fund']);
  });

  it('fails with npm ci when the install fails', () => {
    const result = run({ STUB_NPM_EXIT: '3' });
    expect(result.status).toBe(3);
  });
});
