import path from 'node:path';
import { ensurePythonTool, pythonToolDir, type PythonTool } from './pythonTool';

/** The scim2-tester version the SCIM compliance test runs. Keep pins/scim2-tester.txt in step. */
export const SCIM2_TESTER_VERSION = '0.5.2';

const scim2Tester: PythonTool = {
  name: 'scim2-tester',
  version: SCIM2_TESTER_VERSION,
  purpose: 'the SCIM compliance test (test/scim/)',
  pinsFile: 'scim2-tester.txt',
  // The checker and the HTTP client engine it drives (scim2-client over httpx2).
  probeModule: 'scim2_tester, scim2_client.engines.httpx2',
};

/** Where the pinned scim2-tester virtualenv lives. */
export const scim2TesterDir = pythonToolDir(scim2Tester);

/**
 * Finds or installs scim2-tester (PyPI; an independent checker of SCIM servers against RFC 7643 and
 * RFC 7644, with scim2-client and its httpx2 engine) into the project-local virtualenv
 * {@link scim2TesterDir}. Returns the virtualenv's python; the tests run their own driver script
 * with it (test/scim/scimCompliance.py).
 */
export function ensureScim2Tester(log: (line: string) => void): Promise<{ python: string }> {
  return ensurePythonTool(scim2Tester, log);
}

/** The python of the scim2-tester virtualenv (installed or not). */
export function scim2TesterPython(): string {
  return path.join(scim2TesterDir, 'bin', 'python');
}
