import fs from 'node:fs';
import path from 'node:path';
import { run, which } from './exec';
import { projectRoot, toolsDir } from './paths';

/** The schemathesis version the fuzz test runs. Keep pins/schemathesis.txt in step. */
export const SCHEMATHESIS_VERSION = '4.32.5';

/** Where the pinned schemathesis virtualenv lives. */
export const schemathesisDir = path.join(toolsDir, `schemathesis-${SCHEMATHESIS_VERSION}`);

/**
 * Finds or installs schemathesis (PyPI, a property-based fuzzer driven by an OpenAPI document)
 * into the project-local virtualenv {@link schemathesisDir} from the exact pins in
 * pins/schemathesis.txt, idempotently, and says what it did. Returns the virtualenv's python;
 * the CLI is `python -m schemathesis.cli` (the venv's `bin/` scripts name the staging directory
 * the venv was built in, so they are not used).
 */
export async function ensureSchemathesis(log: (line: string) => void): Promise<{ python: string }> {
  const python = schemathesisPython();
  if (await works(schemathesisDir)) {
    log(`schemathesis: already installed at ${path.relative(projectRoot, schemathesisDir)} (${SCHEMATHESIS_VERSION})`);
    return { python };
  }
  const system = which('python3') ?? which('python');
  if (!system) throw new Error('schemathesis needs python3 on PATH (the fuzz test of the API)');
  fs.mkdirSync(toolsDir, { recursive: true });
  const staging = `${schemathesisDir}.${process.pid}.tmp`;
  fs.rmSync(staging, { recursive: true, force: true });
  try {
    log(`schemathesis: installing ${SCHEMATHESIS_VERSION} from PyPI (pinned) into ${path.relative(projectRoot, schemathesisDir)}`);
    await run(system, ['-m', 'venv', staging]);
    await run(
      path.join(staging, 'bin', 'python'),
      [
        '-m',
        'pip',
        'install',
        '--quiet',
        '--disable-pip-version-check',
        '--no-input',
        '--prefer-binary',
        '-r',
        path.join(__dirname, 'pins', 'schemathesis.txt'),
      ],
      { timeoutMs: 10 * 60_000 },
    );
    // Another provisioner may have finished first; either copy is the same.
    if (!(await works(schemathesisDir))) {
      fs.rmSync(schemathesisDir, { recursive: true, force: true });
      fs.renameSync(staging, schemathesisDir);
    }
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  if (!(await works(schemathesisDir))) throw new Error(`schemathesis did not install into ${schemathesisDir}`);
  log(`schemathesis: installed ${SCHEMATHESIS_VERSION}`);
  return { python };
}

/** The python of the schemathesis virtualenv (installed or not). */
export function schemathesisPython(): string {
  return path.join(schemathesisDir, 'bin', 'python');
}

async function works(dir: string): Promise<boolean> {
  const python = path.join(dir, 'bin', 'python');
  if (!fs.existsSync(python)) return false;
  try {
    const version = await run(python, ['-c', 'import importlib.metadata as m, schemathesis; print(m.version("schemathesis"))'], { timeoutMs: 60_000 });
    return version.trim() === SCHEMATHESIS_VERSION;
  } catch {
    return false;
  }
}
