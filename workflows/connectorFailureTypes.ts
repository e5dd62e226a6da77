/**
 * Failure types of connector activities, for workflow code (which may not import connectors/ or
 * activities/ values). The same strings as CONNECTOR_FAILURE_TYPES in connectors/errors.ts and
 * NON_RETRYABLE_CONNECTOR_FAILURES in activities/connectors/connectorRuntime.ts; a unit test keeps
 * them equal.
 */
export const ConnectorFailureTypes = {
  auth: 'ConnectorAuthError',
  config: 'ConnectorConfigError',
  rateLimit: 'ConnectorRateLimited',
  transient: 'ConnectorTransientError',
  credentialsUnreadable: 'ConnectorCredentialsUnreadable',
  notFound: 'ConnectorNotFound',
} as const;

/** Retry policy's nonRetryableErrorTypes for activities that use a connector. */
export const NON_RETRYABLE_CONNECTOR_FAILURE_TYPES: string[] = [
  ConnectorFailureTypes.auth,
  ConnectorFailureTypes.config,
  ConnectorFailureTypes.credentialsUnreadable,
  ConnectorFailureTypes.notFound,
];

/** API error codes of a failed connection test, by failure type. */
export const TEST_ERROR_CODES: Readonly<Record<string, string>> = {
  [ConnectorFailureTypes.auth]: 'AUTH_FAILED',
  [ConnectorFailureTypes.config]: 'CONFIG_INVALID',
  [ConnectorFailureTypes.rateLimit]: 'RATE_LIMITED',
  [ConnectorFailureTypes.transient]: 'UNAVAILABLE',
  [ConnectorFailureTypes.credentialsUnreadable]: 'CREDENTIALS_UNREADABLE',
  [ConnectorFailureTypes.notFound]: 'NOT_FOUND',
};
