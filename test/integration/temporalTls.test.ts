import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { type AddressInfo } from 'node:net';
import { loadConfig } from '../../platform/config';
import { connectTemporalClient, connectWorkerConnection } from '../../platform/temporal/connection';
import { makeTestCertificates, type TestCertificates } from '../support/tlsCertificates';

/**
 * The hub's Temporal connection over TLS with a client certificate (a self-hosted cluster with
 * mTLS; Temporal Cloud's namespace endpoints take the same settings). The CLI's dev server speaks
 * plain gRPC only (`temporal server start-dev` has no TLS flags), so the test's real Temporal sits
 * behind a TLS terminator that requires a client certificate signed by the test CA, as an mTLS
 * ingress in front of a frontend does; the client (API) and the worker's native connection
 * (Rust core) both connect through it.
 */
describe('Temporal over mTLS', () => {
  const serverName = 'temporal.hub.test';
  let certificates: TestCertificates;
  let terminator: tls.Server;
  let address: string;
  const clientSubjects: string[] = [];

  beforeAll(async () => {
    const upstream = process.env.TEMPORAL_ADDRESS;
    if (!upstream) throw new Error('TEMPORAL_ADDRESS is not set: run through jest (globalSetup)');
    const [upstreamHost, upstreamPort] = [upstream.slice(0, upstream.lastIndexOf(':')), Number(upstream.slice(upstream.lastIndexOf(':') + 1))];
    certificates = makeTestCertificates(serverName);
    terminator = tls.createServer(
      {
        key: fs.readFileSync(certificates.serverKey),
        cert: fs.readFileSync(certificates.serverCert),
        ca: fs.readFileSync(certificates.caCert),
        requestCert: true,
        rejectUnauthorized: true,
        ALPNProtocols: ['h2'],
      },
      (socket) => {
        clientSubjects.push(String(socket.getPeerCertificate().subject?.CN));
        const backend = net.connect(upstreamPort, upstreamHost);
        socket.pipe(backend).pipe(socket);
        const close = () => {
          socket.destroy();
          backend.destroy();
        };
        socket.on('error', close);
        backend.on('error', close);
      },
    );
    // A handshake the terminator refuses (the negative cases) is no test failure.
    terminator.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve) => terminator.listen(0, '127.0.0.1', resolve));
    address = `127.0.0.1:${(terminator.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => terminator?.close(resolve));
    if (certificates) fs.rmSync(certificates.directory, { recursive: true, force: true });
  });

  const settings = (overrides: Record<string, string> = {}) =>
    loadConfig({
      TEMPORAL_ADDRESS: address,
      TEMPORAL_TLS_CA_PATH: certificates.caCert,
      TEMPORAL_TLS_SERVER_NAME: serverName,
      TEMPORAL_TLS_CERT_PATH: certificates.clientCert,
      TEMPORAL_TLS_KEY_PATH: certificates.clientKey,
      ...overrides,
    });

  it('connects the client and the worker with the server CA, server name and client certificate', async () => {
    const config = settings();
    const { client, connection } = await connectTemporalClient(config, { encryptPayloads: false });
    try {
      const namespace = await connection.workflowService.describeNamespace({ namespace: 'default' });
      expect(namespace.namespaceInfo?.name).toBe('default');
      expect(await client.workflow.count('WorkflowType = "no-such-workflow"')).toMatchObject({ count: 0 });
    } finally {
      await connection.close();
    }
    const native = await connectWorkerConnection(config);
    await native.close();
    expect(clientSubjects.length).toBeGreaterThanOrEqual(2);
    expect(new Set(clientSubjects)).toEqual(new Set(['hub-worker']));
  });

  it('is refused without the client certificate, and does not trust a server its CA did not sign', async () => {
    const withoutClientCertificate = loadConfig({ TEMPORAL_ADDRESS: address, TEMPORAL_TLS_CA_PATH: certificates.caCert, TEMPORAL_TLS_SERVER_NAME: serverName });
    await expect(
      (async () => {
        const { connection } = await connectTemporalClient(withoutClientCertificate, { encryptPayloads: false });
        try {
          await connection.workflowService.describeNamespace({ namespace: 'default' });
        } finally {
          await connection.close();
        }
      })(),
    ).rejects.toThrow();
    // The system roots do not know the test CA: the hub refuses the server before sending anything.
    const seen = clientSubjects.length;
    const withoutServerCa = loadConfig({
      TEMPORAL_ADDRESS: address,
      TEMPORAL_TLS_SERVER_NAME: serverName,
      TEMPORAL_TLS_CERT_PATH: certificates.clientCert,
      TEMPORAL_TLS_KEY_PATH: certificates.clientKey,
    });
    await expect(connectWorkerConnection(withoutServerCa)).rejects.toThrow();
    expect(clientSubjects.length).toBe(seen);
  });
});
