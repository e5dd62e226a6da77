import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { schemathesisPython } from '../../platform/local/schemathesis';
import { useHub, useStarted } from '../support/harness';
import { startSmtpCatcher } from '../support/smtpCatcher';

/** The checks of the run (names as schemathesis 4 spells them). */
const CHECKS = [
  'not_a_server_error',
  'status_code_conformance',
  'response_schema_conformance',
  'negative_data_rejection',
  'positive_data_acceptance',
  'unsupported_method',
  'use_after_free',
];

/** Every tenant operation: the platform-admin routes and the Stripe endpoint (no tenant key) are left out. */
const TENANT_PATHS = '^/v1/(?!admin/|stripe/)';

const FUZZ_DIR = __dirname;

/** Longest the run may take before it is stopped (a CI machine on two cores needs about two minutes). */
const RUN_LIMIT_MS = 480_000;

/** Runs the schemathesis CLI; resolves with its exit code and its whole output (also written to `reportFile`). */
function runSchemathesis(args: string[], env: Record<string, string>, reportFile: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(schemathesisPython(), ['-m', 'schemathesis.cli', '--config-file', path.join(FUZZ_DIR, 'schemathesis.toml'), 'run', ...args], {
      cwd: FUZZ_DIR,
      env: { ...process.env, ...env, PYTHONPATH: FUZZ_DIR, SCHEMATHESIS_HOOKS: 'hooks', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const report = fs.createWriteStream(reportFile);
    const collect = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      report.write(chunk);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const limit = setTimeout(() => {
      output += `\n[stopped after ${RUN_LIMIT_MS / 1000} s]\n`;
      child.kill('SIGTERM');
    }, RUN_LIMIT_MS);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(limit);
      report.end();
      resolve({ code, output });
    });
  });
}

/**
 * A bounded, seeded property-based fuzz run of every tenant operation of /openapi.json
 * (schemathesis, see docs/testing.md): requests generated from the document, valid and invalid,
 * each answer checked against the document. Resources exist before it starts, so the `:id`
 * operations see real ids (from the list answers, and in the stateful phase from the links
 * between operations), not only 404.
 */
describe('API fuzz run (schemathesis against /openapi.json)', () => {
  // The hub's errors go to a file the failure message names: the cause of a 5xx the fuzzer finds.
  const hubLog = path.join(os.tmpdir(), `hub-fuzz-${process.pid}.log`);
  // A connector test reaches no provider at the endpoints the fuzzer registers; it answers 503 CONNECTOR_TEST_PENDING after 3 s, not a minute.
  // Invitations are e-mailed: the fuzz hub gets an SMTP catcher, as a deployment has a mail server.
  const smtp = useStarted(startSmtpCatcher, 'the SMTP catcher');
  const { hub, tenant } = useHub({
    tenants: [{}],
    env: () => ({ CONNECTOR_TEST_TIMEOUT: '3s', LOG_LEVEL: 'error', SMTP_URL: smtp.url }),
    logDestination: fs.createWriteStream(hubLog),
  });

  beforeAll(async () => {
    if (!fs.existsSync(schemathesisPython())) throw new Error('schemathesis is not installed: run npm run provision');
    const created = async (method: string, route: string, body: unknown, rawBody?: string, headers?: Record<string, string>) => {
      const response = await hub.request(method, route, { key: tenant.key, body, rawBody, headers });
      if (response.status >= 300) throw new Error(`${method} ${route}: ${response.status} ${response.text}`);
      return response.body;
    };
    await created('POST', '/v1/users', { email: 'fuzz.member@example.test', name: 'Fuzz Member', role: 'member' });
    await created('POST', '/v1/api-keys', { name: 'fuzz member key', role: 'member' });
    await created('POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/fuzz-hook', events: ['job.completed'] });
    const { connector } = await created('POST', '/v1/connectors', {
      type: 'scan',
      name: 'fuzz scan',
      config: { endpoint: 'http://127.0.0.1:9' },
      credentials: {},
    });
    await created('PUT', `/v1/connectors/${connector.id}/schedule`, { every: '1d' });
    await created('POST', '/v1/uploads?name=users.csv', undefined, 'email,name\nfuzz.import@example.test,Imported\n', { 'Content-Type': 'text/csv' });
    await created('POST', '/v1/jobs', { kind: 'export', params: { dataset: 'users', format: 'csv' } });
  });

  it(
    'finds nothing: no 5xx, every answer as documented, valid input accepted and invalid refused',
    async () => {
      const reportFile = path.join(os.tmpdir(), `hub-fuzz-${process.pid}.txt`);
      const { code, output } = await runSchemathesis(
        [`${hub.url}/openapi.json`, '--header', `X-API-Key: ${tenant.key}`, '--checks', CHECKS.join(','), '--include-path-regex', TENANT_PATHS],
        { FUZZ_OWN_KEY_ID: tenant.keyId },
        reportFile,
      );
      // The whole report on failure: each finding with the curl command that reproduces it.
      if (code !== 0) throw new Error(`schemathesis exited ${code} (report: ${reportFile}, hub errors: ${hubLog}):\n${output}`);
      expect(output).toMatch(/No issues found|0 failures/i);
    },
    RUN_LIMIT_MS + 60_000,
  );
});
