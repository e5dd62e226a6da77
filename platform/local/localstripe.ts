import { ensurePythonTool, type PythonTool } from './pythonTool';

/** The localstripe version the Stripe peer runs. Keep pins/localstripe.txt in step. */
export const LOCALSTRIPE_VERSION = '1.15.10';

const localstripe: PythonTool = {
  name: 'localstripe',
  version: LOCALSTRIPE_VERSION,
  purpose: 'the Stripe peer of the tests',
  pinsFile: 'localstripe.txt',
  probeModule: 'aiohttp',
};

/**
 * Finds or installs localstripe (PyPI, a stateful fake Stripe API server) into a project-local
 * virtualenv `.tools/localstripe-<version>/` from the exact pins in pins/localstripe.txt,
 * idempotently, and says what it did. Returns the virtualenv's python.
 */
export function ensureLocalstripe(log: (line: string) => void): Promise<{ python: string }> {
  return ensurePythonTool(localstripe, log);
}
