import { spawn } from 'node:child_process';
import path from 'node:path';
import { scim2TesterPython } from '../../platform/local/scim2Tester';
import { useHub } from '../support/harness';
import { createScimToken } from '../support/scimClient';

interface CheckResult {
  status: 'SUCCESS' | 'COMPLIANT' | 'ACCEPTABLE' | 'DEVIATION' | 'ERROR' | 'CRITICAL' | 'SKIPPED';
  title: string | null;
  reason: string | null;
  resourceType: string | null;
  tags: string[];
}

/** Runs test/scim/scimCompliance.py (scim2-tester, pinned in its virtualenv) and reads its results. */
function runChecker(baseUrl: string, token: string): Promise<CheckResult[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(scim2TesterPython(), [path.join(__dirname, 'scimCompliance.py')], {
      env: { PATH: process.env.PATH ?? '', SCIM_BASE_URL: baseUrl, SCIM_TOKEN: token },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      if (code !== 0) {
        reject(new Error(`scim2-tester exited ${code}: ${stderr}`));
        return;
      }
      resolve(
        stdout
          .split('\n')
          .filter((line) => line.trim() !== '')
          .map((line) => JSON.parse(line) as CheckResult),
      );
    });
  });
}

/**
 * The independent checker: scim2-tester (PyPI) discovers the hub's SCIM service and exercises
 * every resource type it publishes (create, read, attribute projection, search, replace, delete,
 * PATCH add/remove/replace of each attribute) through the real app; no check may fail.
 */
describe('SCIM compliance (scim2-tester)', () => {
  const { hub, tenant } = useHub({ tenants: [{}] });

  it('passes every check with 0 errors', async () => {
    const token = await createScimToken(hub, tenant);
    const results = await runChecker(`${hub.url}/scim/v2`, token);
    const failures = results.filter((result) => result.status === 'ERROR' || result.status === 'CRITICAL');
    expect(failures).toEqual([]);
    // The checker really ran the CRUD and PATCH checks on both resource types (not only discovery).
    for (const resourceType of ['User', 'Group']) {
      const passed = results.filter((result) => result.resourceType === resourceType && result.status === 'SUCCESS');
      expect(passed.length).toBeGreaterThan(10);
    }
    const titles = new Set(results.filter((result) => result.status === 'SUCCESS').map((result) => result.title));
    for (const title of [
      'object_creation',
      'object_query',
      'object_replacement',
      'object_deletion',
      'check_replace_attribute',
      'check_add_attribute',
      'check_remove_attribute',
    ]) {
      expect(titles).toContain(title);
    }
  });
});
