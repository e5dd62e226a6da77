import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../platform/config';
import { temporalConnectionOptions } from '../../platform/temporal/connection';
import { polledWorkKinds, taskQueueOf, taskQueueOfWorkflow, WORK_KIND_OF_WORKFLOW, WORK_KINDS, workflowRouting } from '../../platform/temporal/taskQueues';
import { workerTuning } from '../../worker/worker';
import { WORKFLOW_TYPES } from '../../workflows/contracts';
import * as workflows from '../../workflows';
import { makeTestCertificates, type TestCertificates } from '../support/tlsCertificates';

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('Temporal settings', () => {
  let certificates: TestCertificates;
  beforeAll(() => {
    certificates = makeTestCertificates('temporal.internal');
  });
  afterAll(() => fs.rmSync(certificates.directory, { recursive: true, force: true }));

  describe('validated when the configuration loads', () => {
    it.each([
      [{ TEMPORAL_TLS_CERT_PATH: '/c.pem' }, 'TEMPORAL_TLS_KEY_PATH', /must be set together with its pair/],
      [{ TEMPORAL_TLS_KEY_PATH: '/k.pem' }, 'TEMPORAL_TLS_CERT_PATH', /must be set together with its pair/],
      [{ TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233', TEMPORAL_NAMESPACE: 'ns.acct' }, 'TEMPORAL_TLS_CERT_PATH', /required by Temporal Cloud/],
      [{ TEMPORAL_ADDRESS: 'us-east-1.aws.api.temporal.io:7233', TEMPORAL_NAMESPACE: 'ns.acct' }, 'TEMPORAL_API_KEY', /API-key endpoint/],
      [{ TEMPORAL_ADDRESS: 'us-east-1.aws.api.temporal.io:7233', TEMPORAL_API_KEY: 'key' }, 'TEMPORAL_NAMESPACE', /<namespace>\.<account>/],
      [
        { TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233', TEMPORAL_NAMESPACE: 'ns.acct', TEMPORAL_API_KEY: 'k', TEMPORAL_TLS_CA_PATH: '/ca.pem' },
        'TEMPORAL_TLS_CA_PATH',
        /self-hosted/,
      ],
      [{ WORKER_TASK_QUEUES: 'sync,reports' }, 'WORKER_TASK_QUEUES', /subset of general, sync, bulk, webhooks, billing \(not reports\)/],
      [{ TEMPORAL_TASK_QUEUE: 'hub queue' }, 'TEMPORAL_TASK_QUEUE', /letters, digits/],
      [{ WORKER_MAX_CONCURRENT_ACTIVITIES: '0' }, 'WORKER_MAX_CONCURRENT_ACTIVITIES', /./],
    ])('%o is refused naming %s', (env, variable, message) => {
      const error = configError(() => loadConfig(env));
      expect(error.variable).toBe(variable);
      expect(error.message).toMatch(message);
    });

    it('accepts Temporal Cloud with an API key or an mTLS pair, and a self-hosted cluster with its CA', () => {
      expect(() =>
        loadConfig({ TEMPORAL_ADDRESS: 'us-east-1.aws.api.temporal.io:7233', TEMPORAL_NAMESPACE: 'payments.a1b2c', TEMPORAL_API_KEY: 'k' }),
      ).not.toThrow();
      const pair = { TEMPORAL_TLS_CERT_PATH: certificates.clientCert, TEMPORAL_TLS_KEY_PATH: certificates.clientKey };
      expect(() => loadConfig({ TEMPORAL_ADDRESS: 'payments.a1b2c.tmprl.cloud:7233', TEMPORAL_NAMESPACE: 'payments.a1b2c', ...pair })).not.toThrow();
      expect(() => loadConfig({ TEMPORAL_ADDRESS: 'temporal.internal:7233', TEMPORAL_TLS_CA_PATH: certificates.caCert })).not.toThrow();
    });
  });

  describe('files checked when the process connects', () => {
    const base = { TEMPORAL_ADDRESS: 'temporal.internal:7233' };

    it('builds TLS options from the CA, server name and client pair; TLS is implied by any of them', () => {
      const options = temporalConnectionOptions(
        loadConfig({
          ...base,
          TEMPORAL_TLS_CA_PATH: certificates.caCert,
          TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
          TEMPORAL_TLS_CERT_PATH: certificates.clientCert,
          TEMPORAL_TLS_KEY_PATH: certificates.clientKey,
        }),
      );
      expect(options.tls).toEqual({
        serverRootCACertificate: fs.readFileSync(certificates.caCert),
        serverNameOverride: 'temporal.internal',
        clientCertPair: { crt: fs.readFileSync(certificates.clientCert), key: fs.readFileSync(certificates.clientKey) },
      });
      expect(temporalConnectionOptions(loadConfig(base)).tls).toBeUndefined();
      expect(temporalConnectionOptions(loadConfig({ ...base, TEMPORAL_TLS_SERVER_NAME: 'x' })).tls).toMatchObject({ serverNameOverride: 'x' });
      expect(temporalConnectionOptions(loadConfig({ ...base, TEMPORAL_API_KEY: 'k' }))).toMatchObject({ apiKey: 'k', tls: {} });
    });

    it.each([
      ['a missing CA file', () => ({ TEMPORAL_TLS_CA_PATH: '/nonexistent/ca.pem' }), 'TEMPORAL_TLS_CA_PATH', /cannot be read \(ENOENT/],
      [
        'a CA file that is not PEM',
        (c: TestCertificates) => ({ TEMPORAL_TLS_CA_PATH: path.join(c.directory, 'client.ext') }),
        'TEMPORAL_TLS_CA_PATH',
        /not a PEM file/,
      ],
      ['a key in place of the CA', (c: TestCertificates) => ({ TEMPORAL_TLS_CA_PATH: c.clientKey }), 'TEMPORAL_TLS_CA_PATH', /holds no PEM certificate/],
      [
        'a key that is not the certificate’s',
        (c: TestCertificates) => ({ TEMPORAL_TLS_CERT_PATH: c.clientCert, TEMPORAL_TLS_KEY_PATH: c.serverKey }),
        'TEMPORAL_TLS_KEY_PATH',
        /not the key of the certificate/,
      ],
      [
        'a certificate in place of the key',
        (c: TestCertificates) => ({ TEMPORAL_TLS_CERT_PATH: c.clientCert, TEMPORAL_TLS_KEY_PATH: c.clientCert }),
        'TEMPORAL_TLS_KEY_PATH',
        /not a PEM private key/,
      ],
    ])('refuses %s, naming the variable', (_case, settings, variable, message) => {
      const error = configError(() => temporalConnectionOptions(loadConfig({ ...base, ...settings(certificates) })));
      expect([error.variable, error.message]).toEqual([variable, expect.stringMatching(message)]);
    });

    it('refuses an expired client certificate', () => {
      const config = loadConfig({ ...base, TEMPORAL_TLS_CERT_PATH: certificates.clientCert, TEMPORAL_TLS_KEY_PATH: certificates.clientKey });
      const error = configError(() => temporalConnectionOptions(config, new Date(Date.now() + 30 * 86_400_000)));
      expect([error.variable, error.message]).toEqual(['TEMPORAL_TLS_CERT_PATH', expect.stringMatching(/expired on \d{4}-/)]);
    });
  });
});

describe('task queues', () => {
  it('routes every workflow type the worker registers to a kind of work', () => {
    expect(Object.keys(WORK_KIND_OF_WORKFLOW).sort()).toEqual(Object.keys(workflows).sort());
    expect(Object.values(WORK_KIND_OF_WORKFLOW).every((kind) => WORK_KINDS.includes(kind))).toBe(true);
  });

  it('names the queues after TEMPORAL_TASK_QUEUE, general work keeping the base name', () => {
    const config = loadConfig({});
    expect(WORK_KINDS.map((kind) => taskQueueOf(config, kind))).toEqual(['hub', 'hub-sync', 'hub-bulk', 'hub-webhooks', 'hub-billing']);
    expect(taskQueueOfWorkflow(config, WORKFLOW_TYPES.exportJob)).toBe('hub-bulk');
    expect(taskQueueOfWorkflow(config, WORKFLOW_TYPES.tenantInvoice)).toBe('hub-billing');
    expect(workflowRouting(config, WORKFLOW_TYPES.connectorSync, 'tenant-1')).toEqual({ taskQueue: 'hub-sync', priority: { fairnessKey: 'tenant-1' } });
    expect(workflowRouting(config, WORKFLOW_TYPES.monthlyBilling)).toEqual({ taskQueue: 'hub-billing' });
  });

  it('polls every queue by default, or the subset WORKER_TASK_QUEUES names', () => {
    expect(polledWorkKinds(loadConfig({}))).toEqual(WORK_KINDS);
    expect(polledWorkKinds(loadConfig({ WORKER_TASK_QUEUES: ' sync , bulk,sync' }))).toEqual(['sync', 'bulk']);
  });

  it('passes the tuning settings to the SDK only when set', () => {
    expect(workerTuning(loadConfig({}))).toEqual({});
    expect(
      workerTuning(loadConfig({ WORKER_MAX_CONCURRENT_ACTIVITIES: '8', WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '4', WORKER_STICKY_CACHE_SIZE: '0' })),
    ).toEqual({
      maxConcurrentActivityTaskExecutions: 8,
      maxConcurrentWorkflowTaskExecutions: 4,
      maxCachedWorkflows: 0,
    });
  });
});
