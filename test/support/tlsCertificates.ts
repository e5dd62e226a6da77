import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** PEM files of a throwaway CA, a server certificate it signed (for `serverName`) and a client certificate it signed. */
export interface TestCertificates {
  directory: string;
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

/**
 * Makes a CA and the server and client certificates it signs with the `openssl` CLI, in a
 * temporary directory: the files TEMPORAL_TLS_CA_PATH, TEMPORAL_TLS_CERT_PATH and
 * TEMPORAL_TLS_KEY_PATH point at, and the pair a TLS server presents.
 */
export function makeTestCertificates(serverName: string, clientName = 'hub-worker'): TestCertificates {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'hub-tls-'));
  const file = (name: string) => path.join(directory, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  openssl(
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2',
    '-subj', '/CN=hub test CA', '-keyout', file('ca.key'), '-out', file('ca.crt'),
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ); // prettier-ignore
  const issue = (name: string, subject: string, extensions: string) => {
    openssl(
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-subj',
      `/CN=${subject}`,
      '-keyout',
      file(`${name}.key`),
      '-out',
      file(`${name}.csr`),
    );
    fs.writeFileSync(file(`${name}.ext`), extensions);
    openssl(
      'x509', '-req', '-in', file(`${name}.csr`), '-CA', file('ca.crt'), '-CAkey', file('ca.key'), '-CAcreateserial',
      '-days', '2', '-out', file(`${name}.crt`), '-extfile', file(`${name}.ext`),
    ); // prettier-ignore
  };
  issue('server', serverName, `subjectAltName=DNS:${serverName}\nextendedKeyUsage=serverAuth\n`);
  issue('client', clientName, 'extendedKeyUsage=clientAuth\n');
  return {
    directory,
    caCert: file('ca.crt'),
    serverCert: file('server.crt'),
    serverKey: file('server.key'),
    clientCert: file('client.crt'),
    clientKey: file('client.key'),
  };
}
