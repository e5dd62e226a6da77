import fs from 'node:fs';
import path from 'node:path';
import { run, which } from './exec';
import { projectRoot, toolsDir } from './paths';

/** The localstripe version the Stripe peer runs. Keep pins/localstripe.txt in step. */
export const LOCALSTRIPE_VERSION = '1.15.10';

/**
 * Finds or installs localstripe (PyPI, a stateful fake Stripe API server) into a project-local
 * virtualenv `.tools/localstripe-<version>/` from the exact pins in pins/localstripe.txt,
 * idempotently, and says what it did. Returns the virtualenv's python.
 */
export async function ensureLocalstripe(log: (line: string) => void): Promise<{ python: string }> {
  const installDir = path.join(toolsDir, `localstripe-${LOCALSTRIPE_VERSION}`);
  const python = path.join(installDir, 'bin', 'python');
  if (await works(python)) {
    log(`localstripe: already installed at ${path.relative(projectRoot, installDir)} (${LOCALSTRIPE_VERSION})`);
    return { python };
  }
  const system = which('python3') ?? which('python');
  if (!system) throw new Error('localstripe needs python3 on PATH (the Stripe peer of the tests)');
  fs.mkdirSync(toolsDir, { recursive: true });
  const staging = `${installDir}.${process.pid}.tmp`;
  fs.rmSync(staging, { recursive: true, force: true });
  try {
    log(`localstripe: installing ${LOCALSTRIPE_VERSION} from PyPI (pinned) into ${path.relative(projectRoot, installDir)}`);
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
        path.join(__dirname, 'pins', 'localstripe.txt'),
      ],
      { timeoutMs: 10 * 60_000 },
    );
    // Another provisioner may have finished first; either copy is the same.
    if (!(await works(python))) {
      fs.rmSync(installDir, { recursive: true, force: true });
      fs.renameSync(staging, installDir);
    }
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  if (!(await works(python))) throw new Error(`localstripe did not install into ${installDir}`);
  log(`localstripe: installed ${LOCALSTRIPE_VERSION}`);
  return { python };
}

async function works(python: string): Promise<boolean> {
  if (!fs.existsSync(python)) return false;
  try {
    const version = await run(python, ['-c', 'import importlib.metadata as m, aiohttp; print(m.version("localstripe"))'], { timeoutMs: 30_000 });
    return version.trim() === LOCALSTRIPE_VERSION;
  } catch {
    return false;
  }
}
