import {
  assertAllowedUrl,
  createGuardedFetch,
  ForbiddenDestinationError,
  guardedDispatcher,
  guardedHttpAgent,
  guardedHttpsAgent,
  type NetworkPolicy,
} from '../platform/network/guardedNetwork';
import { ConfigError } from './errors';
import { type GuardedNetwork } from './types';

/**
 * The guarded network handed to connectors: SSRF checks on every URL and connection, bounded
 * responses. A forbidden destination surfaces as a ConfigError (the tenant must change its config).
 */
export function createConnectorNetwork(policy: NetworkPolicy): GuardedNetwork {
  const dispatcher = guardedDispatcher(policy, { connectMs: 10_000, headersMs: 30_000, bodyMs: 60_000 });
  const guardedFetch = createGuardedFetch(policy, dispatcher);
  return {
    allowPrivateNetwork: policy.allowPrivateNetwork,
    dispatcher,
    httpAgent: guardedHttpAgent(policy),
    httpsAgent: guardedHttpsAgent(policy),
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

/** Maps a refused destination (also when wrapped as a fetch `cause`) to ConfigError; rethrows others. */
export function asConfigError(error: unknown): unknown {
  const refused =
    error instanceof ForbiddenDestinationError
      ? error
      : (error as { cause?: unknown })?.cause instanceof ForbiddenDestinationError
        ? (error as { cause: ForbiddenDestinationError }).cause
        : undefined;
  return refused ? new ConfigError(`destination refused: ${refused.message}`, 'FORBIDDEN_DESTINATION', { cause: refused }) : error;
}
