import { ServiceError } from '@temporalio/client';
import { isDatabaseUnavailable } from '../../platform/sql/databaseUnavailable';
import { isTemporalUnavailable } from '../../platform/temporal/temporalUnavailable';

const withCode = (code: string, message = 'error') => Object.assign(new Error(message), { code });

describe('which errors are outages (503) rather than bugs (500)', () => {
  it.each([
    ['connection refused', withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432')],
    ['admin shutdown (57P01)', withCode('57P01', 'terminating connection due to administrator command')],
    ['starting up (57P03)', withCode('57P03', 'the database system is starting up')],
    ['connection failure (class 08)', withCode('08006')],
    ['a lost connection without a code', new Error('Connection terminated unexpectedly')],
    ['wrapped in a cause', Object.assign(new Error('outer'), { cause: withCode('ECONNRESET') })],
    ['inside an AggregateError', new AggregateError([withCode('ECONNREFUSED')], 'all attempts failed')],
  ])('the database is unavailable: %s', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(true);
  });

  it.each([
    ['a unique violation', withCode('23505')],
    ['a syntax error', withCode('42601')],
    ['a serialization failure', withCode('40001')],
    ['an error without a code', new Error('boom')],
    ['not an error', 'ECONNREFUSED'],
  ])('the database is not unavailable: %s', (_, error) => {
    expect(isDatabaseUnavailable(error)).toBe(false);
  });

  it('Temporal is unavailable when a call fails UNAVAILABLE or DEADLINE_EXCEEDED, not when it is refused', () => {
    const service = (code: number) => new ServiceError('Failed to start Workflow', { cause: Object.assign(new Error('grpc'), { code }) });
    expect(isTemporalUnavailable(service(14))).toBe(true);
    expect(isTemporalUnavailable(service(4))).toBe(true);
    expect(isTemporalUnavailable(service(3))).toBe(false); // INVALID_ARGUMENT
    expect(isTemporalUnavailable(service(6))).toBe(false); // ALREADY_EXISTS
    expect(isTemporalUnavailable(new Error('boom'))).toBe(false);
  });
});
