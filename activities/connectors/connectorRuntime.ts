import { ApplicationFailure } from '@temporalio/common';
import { ConnectorError, ConfigError, type ConnectorError as ConnectorErrorType } from '../../connectors/errors';
import { createConnectorNetwork } from '../../connectors/network';
import { type ConnectorContext, type ConnectorDefinition, type ConnectorInstance, type GuardedNetwork } from '../../connectors/types';
import { findConnectorRow, openConnectorCredentials, storeRotatedCredentials, type ConnectorRow } from '../../platform/connectorStore';
import { resolveConnectorType } from '../../connectors/connectorTypes';
import { withAdvisoryLock } from '../../platform/locks';
import { allowedCidrsOf, tenantNetworkPolicy } from '../../platform/network/tenantAllowances';
import { DecryptionError } from '../../platform/vault/aesGcm';
import { type ActivityDeps } from '../deps';
import { type ConnectorRef } from './connectorRef';
import { pauseConnectorForAuthFailure } from './connectorEvents';
import {
  CONNECTOR_CREDENTIALS_UNREADABLE,
  CONNECTOR_FAILURE_TYPES,
  CONNECTOR_NOT_FOUND,
  NON_RETRYABLE_CONNECTOR_FAILURE_TYPES,
} from '../../workflows/contracts';

/** Failure type when stored credentials cannot be decrypted (wrong master key, tampered row): not retried. */
export const CREDENTIALS_UNREADABLE = CONNECTOR_CREDENTIALS_UNREADABLE;
/** Failure type when the connector row is gone or its type unknown: not retried. */
export { CONNECTOR_NOT_FOUND };

/** Every failure type a connector activity's retry policy must not retry. */
export const NON_RETRYABLE_CONNECTOR_FAILURES: readonly string[] = NON_RETRYABLE_CONNECTOR_FAILURE_TYPES;

/** A connector instance bound to one tenant's row, ready for one activity's work. */
export interface OpenConnector {
  row: ConnectorRow;
  definition: ConnectorDefinition;
  config: unknown;
  instance: ConnectorInstance;
}

export interface WithConnectorOptions {
  /** Aborted when the activity is cancelled (Context.current().cancellationSignal). */
  signal?: AbortSignal;
  /** Activity heartbeat (Context.current().heartbeat). */
  heartbeat?: (details?: unknown) => void;
  /** Pause the connector when the system rejects its credentials (default true; a connection test reports instead). */
  pauseOnAuthError?: boolean;
}

/**
 * The activity-side connector runtime: the one way activities use a connector.
 *
 * Given `(tenantId, connectorId)` it loads the row inside withTenant (RLS), decrypts the
 * credentials with the vault, builds the {@link ConnectorContext} (SSRF-guarded network from the
 * process policy and the tenant's private-network allowances; `updateCredentials` re-encrypting and storing in withTenant; `loadCredentials`;
 * `withConnectorLock` as a Postgres advisory lock `connector:<id>:<key>`), checks the config's URL
 * fields against the SSRF policy, creates the instance, runs `work`, and closes the instance.
 *
 * Failures leave as Temporal failures ({@link toActivityFailure}): auth and config errors are
 * non-retryable (an auth error also pauses the connector and calls the `connector.auth_failed`
 * hook), rate limits retry after the server's Retry-After via `nextRetryDelay` (a durable
 * server-side wait, not a sleep in the worker), transient errors retry with the policy's backoff.
 * Activities that use this should list {@link NON_RETRYABLE_CONNECTOR_FAILURES} as non-retryable.
 */
export async function withConnector<T>(
  deps: Pick<ActivityDeps, 'config' | 'db' | 'logger' | 'vault'>,
  ref: ConnectorRef,
  work: (open: OpenConnector) => Promise<T>,
  options: WithConnectorOptions = {},
): Promise<T> {
  let instance: ConnectorInstance | undefined;
  try {
    const opened = await openConnector(deps, ref, options);
    instance = opened.instance;
    return await work(opened);
  } catch (error) {
    if (error instanceof ConnectorError && error.kind === 'auth' && options.pauseOnAuthError !== false) {
      await pauseConnectorForAuthFailure(deps.db, ref, error.message);
    }
    throw toActivityFailure(error);
  } finally {
    await instance?.close?.().catch((error: unknown) => deps.logger.warn({ err: error, connectorId: ref.connectorId }, 'connector close failed'));
  }
}

const networks = new Map<string, GuardedNetwork>();
/** Distinct policies kept with their connection pools (the oldest is dropped past it). */
const MAX_NETWORKS = 256;

/**
 * The guarded network of a tenant's policy, one per process and policy (tenants without private
 * allowances share one): its agents keep connections alive across activities (a sync reads many
 * pages from the same host).
 */
function networkFor(config: ActivityDeps['config'], tenantCidrs: readonly string[]): GuardedNetwork {
  const policy = tenantNetworkPolicy(config, tenantCidrs);
  const limits = { maxResponseBytes: config.CONNECTOR_MAX_RESPONSE_BYTES, maxLineBytes: config.CONNECTOR_MAX_LINE_BYTES };
  const key = JSON.stringify({ policy, limits });
  let network = networks.get(key);
  if (!network) {
    network = createConnectorNetwork(policy, limits);
    if (networks.size >= MAX_NETWORKS) networks.delete(networks.keys().next().value!);
    networks.set(key, network);
  }
  return network;
}

/** Loads and decrypts the connector and creates its instance (without error mapping). */
export async function openConnector(
  deps: Pick<ActivityDeps, 'config' | 'db' | 'logger' | 'vault'>,
  ref: ConnectorRef,
  options: WithConnectorOptions = {},
): Promise<OpenConnector> {
  const { db, vault } = deps;
  const loaded = await db.withTenant(ref.tenantId, async (trx) => {
    const row = await findConnectorRow(trx, ref.tenantId, ref.connectorId);
    if (!row) return undefined;
    return {
      row,
      definition: await resolveConnectorType(trx, ref.tenantId, row.type),
      credentials: await openConnectorCredentials(trx, vault, row),
      allowedCidrs: await allowedCidrsOf(trx, ref.tenantId),
    };
  });
  if (!loaded) throw ApplicationFailure.create({ type: CONNECTOR_NOT_FOUND, message: `connector ${ref.connectorId} not found`, nonRetryable: true });
  const { row } = loaded;
  const { definition } = loaded;
  if (!definition) throw ApplicationFailure.create({ type: CONNECTOR_NOT_FOUND, message: `connector type ${row.type} is not installed`, nonRetryable: true });

  const config = definition.configSchema.safeParse(row.config);
  if (!config.success)
    throw new ConfigError(`stored configuration is invalid: ${config.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
  const network = networkFor(deps.config, loaded.allowedCidrs);
  for (const field of definition.urlFields) {
    const value = (config.data as Record<string, unknown>)[field];
    if (typeof value === 'string') network.assertAllowedUrl(value);
  }

  const logger = deps.logger.child({ tenantId: ref.tenantId, connectorId: ref.connectorId, connectorType: row.type });
  const context: ConnectorContext<unknown, unknown> = {
    tenantId: ref.tenantId,
    connectorId: ref.connectorId,
    config: config.data,
    credentials: loaded.credentials,
    async updateCredentials(next) {
      await db.withTenant(ref.tenantId, (trx) =>
        storeRotatedCredentials(trx, vault, ref.tenantId, ref.connectorId, next, { type: 'system', id: `connector:${row.type}` }),
      );
    },
    async loadCredentials() {
      return db.withTenant(ref.tenantId, async (trx) => {
        const current = await findConnectorRow(trx, ref.tenantId, ref.connectorId);
        if (!current) throw new ConfigError(`connector ${ref.connectorId} no longer exists`);
        return openConnectorCredentials(trx, vault, current);
      });
    },
    withConnectorLock: (key, fn) => withAdvisoryLock(db, `connector:${ref.connectorId}:${key}`, fn),
    network,
    logger,
    signal: options.signal,
    heartbeat: options.heartbeat,
  };
  return { row, definition, config: config.data, instance: definition.create(context as never) };
}

/**
 * Maps a connector failure to the Temporal failure activities throw. Anything that is not a
 * classified connector error passes through unchanged (the SDK retries it with the policy).
 */
export function toActivityFailure(error: unknown): unknown {
  if (error instanceof DecryptionError) {
    return ApplicationFailure.create({
      type: CREDENTIALS_UNREADABLE,
      message: `connector credentials cannot be decrypted: ${error.message}`,
      nonRetryable: true,
    });
  }
  if (!(error instanceof ConnectorError)) return error;
  const classified = error as ConnectorErrorType;
  const type = CONNECTOR_FAILURE_TYPES[classified.kind];
  const details = [{ kind: classified.kind, code: classified.code ?? null }];
  switch (classified.kind) {
    case 'auth':
    case 'config':
      return ApplicationFailure.create({ type, message: classified.message, nonRetryable: true, details });
    case 'rate_limit':
      return ApplicationFailure.create({
        type,
        message: classified.message,
        details,
        // At least a second: a zero delay would make the retry immediate.
        nextRetryDelay: Math.max(1_000, (classified as ConnectorErrorType & { retryAfterMs: number }).retryAfterMs),
      });
    case 'transient':
      return ApplicationFailure.create({ type, message: classified.message, details });
    default:
      return error;
  }
}
