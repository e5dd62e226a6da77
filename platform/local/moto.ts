import path from 'node:path';
import { ensurePythonTool, pythonToolDir, type PythonTool } from './pythonTool';

/** The moto version the S3 tests run. Keep pins/moto.txt in step. */
export const MOTO_VERSION = '5.2.5';

const moto: PythonTool = {
  name: 'moto',
  version: MOTO_VERSION,
  purpose: 'the S3-compatible server of the file store tests',
  pinsFile: 'moto.txt',
  probeModule: 'moto.server',
};

/** Where the pinned moto virtualenv lives. */
export const motoDir = pythonToolDir(moto);

/**
 * Finds or installs moto (PyPI; its server mode is a stateful S3-compatible HTTP server) into the
 * project-local virtualenv {@link motoDir}. Returns the virtualenv's python; the server is
 * `python -m moto.server` (the venv's `bin/` scripts name the staging directory it was built in).
 */
export function ensureMoto(log: (line: string) => void): Promise<{ python: string }> {
  return ensurePythonTool(moto, log);
}

/** The python of the moto virtualenv (installed or not). */
export function motoPython(): string {
  return path.join(motoDir, 'bin', 'python');
}
