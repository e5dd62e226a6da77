import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isExecutable, run, versionOf, which } from './exec';
import { projectRoot, toolsDir } from './paths';

/** A command-line tool the hub's tests build from its Go module at a pinned version. */
export interface GoTool {
  /** The binary's name (also the log prefix and the install directory's). */
  name: string;
  /** The Go module path of the main package, e.g. `helm.sh/helm/v3/cmd/helm`. */
  module: string;
  /** The module version without the leading v. */
  version: string;
  /** `-X` flags that stamp the version into the binary (a `go install` build leaves it unset otherwise). */
  ldflags: string;
  /** Arguments that make the binary print its version, and the first line it must print. */
  versionArgs: string[];
  expectedVersion: string;
}

/** Where a tool is installed: `.tools/<name>-<version>/<name>`. */
export function goToolPath(tool: Pick<GoTool, 'name' | 'version'>): string {
  return path.join(toolsDir, `${tool.name}-${tool.version}`, tool.name);
}

/**
 * Finds or builds a Go tool into {@link goToolPath}, idempotently: `go install` of the pinned module
 * version (the Go module proxy checks it against the checksum database) into a staging directory,
 * then moved into place atomically so a concurrent provisioner never runs half a file. Needs Go on
 * PATH the first time.
 */
export async function ensureGoTool(tool: GoTool, log: (line: string) => void): Promise<{ path: string }> {
  const binary = goToolPath(tool);
  if (isPinned(tool, binary)) {
    log(`${tool.name}: already installed at ${path.relative(projectRoot, binary)} (${tool.version})`);
    return { path: binary };
  }
  const go = which('go');
  if (!go) throw new Error(`${tool.name} ${tool.version} is built with Go (go install ${tool.module}@v${tool.version}): put go on PATH`);
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), `hub-${tool.name}-`));
  try {
    const started = Date.now();
    log(`${tool.name}: go install ${tool.module}@v${tool.version}`);
    await run(go, ['install', `-ldflags=${tool.ldflags}`, `${tool.module}@v${tool.version}`], {
      env: { ...process.env, GOBIN: staging, CGO_ENABLED: '0', GOFLAGS: '-buildvcs=false -mod=mod' },
      timeoutMs: 30 * 60_000,
    });
    fs.mkdirSync(path.dirname(binary), { recursive: true });
    const temporary = `${binary}.${process.pid}.tmp`;
    fs.copyFileSync(path.join(staging, tool.name), temporary);
    fs.chmodSync(temporary, 0o755);
    fs.renameSync(temporary, binary);
    if (!isPinned(tool, binary)) throw new Error(`the ${tool.name} built into ${path.dirname(binary)} does not report version ${tool.expectedVersion}`);
    log(`${tool.name}: built ${tool.version} in ${((Date.now() - started) / 1000).toFixed(1)} s into ${path.relative(projectRoot, path.dirname(binary))}`);
    return { path: binary };
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

function isPinned(tool: GoTool, binary: string): boolean {
  return isExecutable(binary) && versionOf(binary, tool.versionArgs) === tool.expectedVersion;
}
