import { Client, Connection, type ConnectionOptions } from '@temporalio/client';
import { NativeConnection, type NativeConnectionOptions } from '@temporalio/worker';
import fs from 'node:fs';
import { type HubConfig } from '../config';
import { hubDataConverterFromConfig } from './payloadEncryption';

type TemporalSettings = Pick<
  HubConfig,
  | 'TEMPORAL_ADDRESS'
  | 'TEMPORAL_NAMESPACE'
  | 'TEMPORAL_API_KEY'
  | 'TEMPORAL_TLS'
  | 'TEMPORAL_TLS_CERT_PATH'
  | 'TEMPORAL_TLS_KEY_PATH'
  | 'TEMPORAL_TLS_SERVER_NAME'
>;

/** Connection options shared by the client (API) and the worker: address, TLS / mTLS, API key. */
export function temporalConnectionOptions(config: TemporalSettings): ConnectionOptions & NativeConnectionOptions {
  if (!config.TEMPORAL_ADDRESS) {
    throw new Error('TEMPORAL_ADDRESS is not set: run `npm start` for the embedded stack or point TEMPORAL_ADDRESS at a Temporal frontend');
  }
  const useTls = config.TEMPORAL_TLS || config.TEMPORAL_API_KEY !== undefined || config.TEMPORAL_TLS_CERT_PATH !== undefined;
  const clientCertPair =
    config.TEMPORAL_TLS_CERT_PATH && config.TEMPORAL_TLS_KEY_PATH
      ? { crt: fs.readFileSync(config.TEMPORAL_TLS_CERT_PATH), key: fs.readFileSync(config.TEMPORAL_TLS_KEY_PATH) }
      : undefined;
  return {
    address: config.TEMPORAL_ADDRESS,
    tls: useTls ? { clientCertPair, serverNameOverride: config.TEMPORAL_TLS_SERVER_NAME } : undefined,
    apiKey: config.TEMPORAL_API_KEY,
  };
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
