import {
  assertAllowedUrl,
  boundedDispatcher,
  createGuardedFetch,
  ForbiddenDestinationError,
  guardedDispatcher,
  guardedHttpAgent,
  guardedHttpsAgent,
  type NetworkPolicy,
  responseTooLargeIn,
} from '../platform/network/guardedNetwork';
import { ConfigError } from './errors';
import { type GuardedNetwork, type ResponseLimits } from './types';

/** CONNECTOR_MAX_RESPONSE_BYTES and CONNECTOR_MAX_LINE_BYTES defaults (platform/config.ts). */
export const DEFAULT_RESPONSE_LIMITS: ResponseLimits = { maxResponseBytes: 64 * 1024 * 1024, maxLineBytes: 16 * 1024 * 1024 };

/**
 * The guarded network handed to connectors: SSRF checks on every URL and connection, responses
 * bounded on every transport (fetch, the undici dispatcher, the node:http(s) agents) by
 * `limits.maxResponseBytes`. A forbidden destination or an oversized response surfaces as a
 * ConfigError (not retried: the same request would fail the same way).
 */
export function createConnectorNetwork(policy: NetworkPolicy, limits: ResponseLimits = DEFAULT_RESPONSE_LIMITS): GuardedNetwork {
  const agent = guardedDispatcher(policy, { connectMs: 10_000, headersMs: 30_000, bodyMs: 60_000 });
  const responseLimit = { maxBytes: limits.maxResponseBytes, name: 'CONNECTOR_MAX_RESPONSE_BYTES' };
  const guardedFetch = createGuardedFetch(policy, agent, responseLimit);
  return {
    allowPrivateNetwork: policy.allowPrivateNetwork,
    limits,
    dispatcher: boundedDispatcher(agent, responseLimit),
    httpAgent: guardedHttpAgent(policy, responseLimit),
    httpsAgent: guardedHttpsAgent(policy, responseLimit),
    assertAllowedUrl(url) {
      try {
        assertAllowedUrl(url, policy);
      } catch (error) {
        throw asConfigError(error);
      }
    },
    async fetch(url, init) {
      try {
        return await guardedFetch(url, init);
      } catch (error) {
        throw asConfigError(error);
      }
    },
  };
}

/**
 * Maps a refused destination (also when wrapped as a fetch `cause`) or an oversized response
 * (however a library wrapped it) to ConfigError; returns others unchanged.
 */
export function asConfigError(error: unknown): unknown {
  const tooLarge = responseTooLargeIn(error);
  if (tooLarge) return new ConfigError(`response too large: ${tooLarge.message}`, 'RESPONSE_TOO_LARGE', { cause: tooLarge });
  const refused =
    error instanceof ForbiddenDestinationError
      ? error
      : (error as { cause?: unknown })?.cause instanceof ForbiddenDestinationError
        ? (error as { cause: ForbiddenDestinationError }).cause
        : undefined;
  return refused ? new ConfigError(`destination refused: ${refused.message}`, 'FORBIDDEN_DESTINATION', { cause: refused }) : error;
}
