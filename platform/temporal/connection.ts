import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { ConfigError, type HubConfig } from '../config';
import { hubDataConverterFromConfig } from './payloadEncryption';

type TemporalSettings = Pick<
  HubConfig,
  | 'TEMPORAL_ADDRESS'
  | 'TEMPORAL_NAMESPACE'
  | 'TEMPORAL_API_KEY'
  | 'TEMPORAL_TLS'
  | 'TEMPORAL_TLS_CERT_PATH'
  | 'TEMPORAL_TLS_KEY_PATH'
  | 'TEMPORAL_TLS_CA_PATH'
  | 'TEMPORAL_TLS_SERVER_NAME'
>;

/**
 * Connection options shared by the client (API) and the worker: address, TLS (server CA and name
 * for a self-hosted cluster), mTLS client pair or API key (Temporal Cloud). The PEM files are read
 * and checked here, at start, so a wrong path, a key that does not match its certificate or an
 * expired certificate stops the process with a {@link ConfigError} naming the variable, instead of
 * a handshake failure on the first call.
 */
export function temporalConnectionOptions(config: TemporalSettings, now: Date = new Date()): ConnectionOptions & NativeConnectionOptions {
  if (!config.TEMPORAL_ADDRESS) {
    throw new Error('TEMPORAL_ADDRESS is not set: run `npm start` for the embedded stack or point TEMPORAL_ADDRESS at a Temporal frontend');
  }
  const useTls =
    config.TEMPORAL_TLS ||
    config.TEMPORAL_API_KEY !== undefined ||
    config.TEMPORAL_TLS_CERT_PATH !== undefined ||
    config.TEMPORAL_TLS_CA_PATH !== undefined ||
    config.TEMPORAL_TLS_SERVER_NAME !== undefined;
  let clientCertPair: { crt: Buffer; key: Buffer } | undefined;
  if (config.TEMPORAL_TLS_CERT_PATH || config.TEMPORAL_TLS_KEY_PATH) {
    if (!config.TEMPORAL_TLS_CERT_PATH || !config.TEMPORAL_TLS_KEY_PATH) {
      const missing = config.TEMPORAL_TLS_CERT_PATH ? 'TEMPORAL_TLS_KEY_PATH' : 'TEMPORAL_TLS_CERT_PATH';
      throw new ConfigError(`Invalid configuration: ${missing} must be set together with its pair (the mTLS client certificate and its key)`, missing);
    }
    const crt = readPem('TEMPORAL_TLS_CERT_PATH', config.TEMPORAL_TLS_CERT_PATH);
    const key = readPem('TEMPORAL_TLS_KEY_PATH', config.TEMPORAL_TLS_KEY_PATH);
    const certificate = parseCertificate('TEMPORAL_TLS_CERT_PATH', crt, now);
    let privateKey;
    try {
      privateKey = crypto.createPrivateKey(key);
    } catch {
      throw new ConfigError(
        'Invalid configuration: TEMPORAL_TLS_KEY_PATH is not a PEM private key (unencrypted PKCS#8, PKCS#1 or SEC1)',
        'TEMPORAL_TLS_KEY_PATH',
      );
    }
    if (!certificate.checkPrivateKey(privateKey)) {
      throw new ConfigError(
        'Invalid configuration: TEMPORAL_TLS_KEY_PATH is not the key of the certificate in TEMPORAL_TLS_CERT_PATH',
        'TEMPORAL_TLS_KEY_PATH',
      );
    }
    clientCertPair = { crt, key };
  }
  let serverRootCACertificate: Buffer | undefined;
  if (config.TEMPORAL_TLS_CA_PATH) {
    serverRootCACertificate = readPem('TEMPORAL_TLS_CA_PATH', config.TEMPORAL_TLS_CA_PATH);
    parseCertificate('TEMPORAL_TLS_CA_PATH', serverRootCACertificate, now);
  }
  return {
    address: config.TEMPORAL_ADDRESS,
    tls: useTls ? { clientCertPair, serverRootCACertificate, serverNameOverride: config.TEMPORAL_TLS_SERVER_NAME } : undefined,
    apiKey: config.TEMPORAL_API_KEY,
  };
}

function readPem(variable: string, file: string): Buffer {
  let contents: Buffer;
  try {
    contents = fs.readFileSync(file);
  } catch (error) {
    throw new ConfigError(`Invalid configuration: ${variable} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}: ${file})`, variable);
  }
  if (!contents.includes('-----BEGIN ')) throw new ConfigError(`Invalid configuration: ${variable} is not a PEM file (${file})`, variable);
  return contents;
}

function parseCertificate(variable: string, pem: Buffer, now: Date): crypto.X509Certificate {
  let certificate: crypto.X509Certificate;
  try {
    certificate = new crypto.X509Certificate(pem);
  } catch {
    throw new ConfigError(`Invalid configuration: ${variable} holds no PEM certificate`, variable);
  }
  if (new Date(certificate.validTo) < now) {
    throw new ConfigError(`Invalid configuration: ${variable} expired on ${new Date(certificate.validTo).toISOString()}`, variable);
  }
  if (new Date(certificate.validFrom) > now) {
    throw new ConfigError(`Invalid configuration: ${variable} is not valid before ${new Date(certificate.validFrom).toISOString()}`, variable);
  }
  return certificate;
}

/**
 * The process's Temporal client (API, worker start-up). Its payloads are encrypted with the vault
 * master key ({@link hubDataConverterFromConfig}), so HUB_MASTER_KEY must be set; a caller that
 * reads no payloads at all (task-queue pollers) may pass `encryptPayloads: false`.
 */
export async function connectTemporalClient(
  config: TemporalSettings & Pick<HubConfig, 'HUB_MASTER_KEY' | 'HUB_MASTER_KEY_PREVIOUS'>,
  options: { encryptPayloads?: boolean } = {},
): Promise<{ client: Client; connection: Connection }> {
  const dataConverter = options.encryptPayloads === false ? undefined : hubDataConverterFromConfig(config);
  const connection = await Connection.connect({ ...temporalConnectionOptions(config), connectTimeout: 10_000 });
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, dataConverter });
  return { client, connection };
}

/** The worker's native connection. */
export async function connectWorkerConnection(config: TemporalSettings): Promise<NativeConnection> {
  return NativeConnection.connect(temporalConnectionOptions(config));
}

/** Deep link to a workflow run in the Temporal Web UI. */
export function temporalUiUrl(config: Pick<HubConfig, 'TEMPORAL_UI_URL' | 'TEMPORAL_NAMESPACE'>, workflowId: string, runId?: string): string {
  const base = config.TEMPORAL_UI_URL.replace(/\/$/, '');
  const path = `${base}/namespaces/${encodeURIComponent(config.TEMPORAL_NAMESPACE)}/workflows/${encodeURIComponent(workflowId)}`;
  return runId ? `${path}/${encodeURIComponent(runId)}/history` : path;
}
