import { ApplicationFailure } from '@temporalio/common';
import { CREDENTIALS_UNREADABLE, NON_RETRYABLE_CONNECTOR_FAILURES, CONNECTOR_NOT_FOUND, toActivityFailure } from '../../activities/connectors/connectorRuntime';
import { AuthError, CONNECTOR_FAILURE_TYPES, ConfigError, RateLimitError, TransientError } from '../../connectors/errors';
import { DecryptionError } from '../../platform/vault/aesGcm';
import { NON_RETRYABLE_CONNECTOR_FAILURE_TYPES } from '../../workflows/contracts';

describe('connector failures as Temporal failures', () => {
  it('keeps the failure type strings recorded histories carry, one list for workflows and activities', () => {
    expect(CONNECTOR_FAILURE_TYPES).toEqual({
      auth: 'ConnectorAuthError',
      config: 'ConnectorConfigError',
      rate_limit: 'ConnectorRateLimited',
      transient: 'ConnectorTransientError',
    });
    expect([CREDENTIALS_UNREADABLE, CONNECTOR_NOT_FOUND]).toEqual(['ConnectorCredentialsUnreadable', 'ConnectorNotFound']);
    expect(NON_RETRYABLE_CONNECTOR_FAILURES).toEqual(['ConnectorAuthError', 'ConnectorConfigError', 'ConnectorCredentialsUnreadable', 'ConnectorNotFound']);
    expect(NON_RETRYABLE_CONNECTOR_FAILURE_TYPES).toBe(NON_RETRYABLE_CONNECTOR_FAILURES);
  });

  it('maps each class: auth/config non-retryable, rate limit with nextRetryDelay = Retry-After, transient retryable', () => {
    const cases: Array<[unknown, string, boolean, number | undefined]> = [
      [new AuthError('no', 401), CONNECTOR_FAILURE_TYPES.auth, true, undefined],
      [new ConfigError('no', 400), CONNECTOR_FAILURE_TYPES.config, true, undefined],
      [new RateLimitError('slow', 42_000, 429), CONNECTOR_FAILURE_TYPES.rate_limit, false, 42_000],
      [new RateLimitError('slow', 0, 429), CONNECTOR_FAILURE_TYPES.rate_limit, false, 1_000],
      [new TransientError('later', 503), CONNECTOR_FAILURE_TYPES.transient, false, undefined],
      [new DecryptionError('tampered'), CREDENTIALS_UNREADABLE, true, undefined],
    ];
    for (const [error, type, nonRetryable, delay] of cases) {
      const failure = toActivityFailure(error) as ApplicationFailure;
      expect(failure).toBeInstanceOf(ApplicationFailure);
      expect([failure.type, failure.nonRetryable, failure.nextRetryDelay]).toEqual([type, nonRetryable, delay]);
    }
    const other = new TypeError('fetch failed');
    expect(toActivityFailure(other)).toBe(other);
  });
});
