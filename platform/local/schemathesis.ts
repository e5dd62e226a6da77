import path from 'node:path';
import { ensurePythonTool, pythonToolDir, type PythonTool } from './pythonTool';

/** The schemathesis version the fuzz test runs. Keep pins/schemathesis.txt in step. */
export const SCHEMATHESIS_VERSION = '4.32.5';

const schemathesis: PythonTool = {
  name: 'schemathesis',
  version: SCHEMATHESIS_VERSION,
  purpose: 'the fuzz test of the API',
  pinsFile: 'schemathesis.txt',
  probeModule: 'schemathesis',
};

/** Where the pinned schemathesis virtualenv lives. */
export const schemathesisDir = pythonToolDir(schemathesis);

/**
 * Finds or installs schemathesis (PyPI, a property-based fuzzer driven by an OpenAPI document)
 * into the project-local virtualenv {@link schemathesisDir}. Returns the virtualenv's python;
 * the CLI is `python -m schemathesis.cli` (the venv's `bin/` scripts name the staging directory
 * the venv was built in, so they are not used).
 */
export function ensureSchemathesis(log: (line: string) => void): Promise<{ python: string }> {
  return ensurePythonTool(schemathesis, log);
}

/** The python of the schemathesis virtualenv (installed or not). */
export function schemathesisPython(): string {
  return path.join(schemathesisDir, 'bin', 'python');
}
