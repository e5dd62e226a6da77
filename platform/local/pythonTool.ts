import fs from 'node:fs';
import path from 'node:path';
import { run, which } from './exec';
import { projectRoot, toolsDir } from './paths';

/** A PyPI tool the hub's tests run from a project-local virtualenv, installed from exact pins. */
export interface PythonTool {
  /** The PyPI distribution name (also the log prefix). */
  name: string;
  version: string;
  /** What the tool is for, for the "needs python3" error. */
  purpose: string;
  /** pins/<file>: the exact requirements. */
  pinsFile: string;
  /** A module to import when checking the install (the tool's own or one it needs). */
  probeModule: string;
}

/** Where a tool's pinned virtualenv lives: `.tools/<name>-<version>/`. */
export function pythonToolDir(tool: Pick<PythonTool, 'name' | 'version'>): string {
  return path.join(toolsDir, `${tool.name}-${tool.version}`);
}

/**
 * Finds or installs the tool into {@link pythonToolDir} (a virtualenv built in a staging directory,
 * then renamed, so a half-built one is never used), idempotently, and says what it did. Returns
 * the virtualenv's python.
 */
export async function ensurePythonTool(tool: PythonTool, log: (line: string) => void): Promise<{ python: string }> {
  const installDir = pythonToolDir(tool);
  const python = path.join(installDir, 'bin', 'python');
  if (await works(tool, python)) {
    log(`${tool.name}: already installed at ${path.relative(projectRoot, installDir)} (${tool.version})`);
    return { python };
  }
  const system = which('python3') ?? which('python');
  if (!system) throw new Error(`${tool.name} needs python3 on PATH (${tool.purpose})`);
  fs.mkdirSync(toolsDir, { recursive: true });
  const staging = `${installDir}.${process.pid}.tmp`;
  fs.rmSync(staging, { recursive: true, force: true });
  try {
    log(`${tool.name}: installing ${tool.version} from PyPI (pinned) into ${path.relative(projectRoot, installDir)}`);
    await run(system, ['-m', 'venv', staging]);
    await run(
      path.join(staging, 'bin', 'python'),
      ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-input', '--prefer-binary', '-r', path.join(__dirname, 'pins', tool.pinsFile)],
      { timeoutMs: 10 * 60_000 },
    );
    // Another provisioner may have finished first; either copy is the same.
    if (!(await works(tool, python))) {
      fs.rmSync(installDir, { recursive: true, force: true });
      fs.renameSync(staging, installDir);
    }
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  if (!(await works(tool, python))) throw new Error(`${tool.name} did not install into ${installDir}`);
  log(`${tool.name}: installed ${tool.version}`);
  return { python };
}

async function works(tool: PythonTool, python: string): Promise<boolean> {
  if (!fs.existsSync(python)) return false;
  try {
    const script = `import importlib.metadata as m, ${tool.probeModule}; print(m.version(${JSON.stringify(tool.name)}))`;
    const version = await run(python, ['-c', script], { timeoutMs: 60_000 });
    return version.trim() === tool.version;
  } catch {
    return false;
  }
}
