import { CircuitBreaker } from '../../platform/webhooks/circuitBreaker';
import { TokenBucket } from '../../platform/webhooks/tokenBucket';

describe('webhook endpoint limits', () => {
  const settings = { windowMs: 10_000, minRequests: 4, failureRatio: 0.5, cooldownMs: 1_000 };

  it('opens the breaker once enough attempts in the window failed, holds back during the cooldown, then lets one probe through', () => {
    const breaker = new CircuitBreaker(settings);
    expect(breaker.record(false, 0)).toBeNull();
    expect(breaker.record(true, 1)).toBeNull();
    expect(breaker.record(false, 2)).toBeNull();
    // Four attempts, half failed: open.
    expect(breaker.record(false, 3)).toBe('opened');
    expect(breaker.allowance(10, 500)).toBe(0);
    expect(breaker.reopensInMs(500)).toBe(503);
    // Half-open after the cooldown: one probe at a time.
    expect(breaker.allowance(10, 1_003)).toBe(1);
    breaker.started();
    expect(breaker.allowance(10, 1_004)).toBe(0);
    expect(breaker.record(false, 1_100)).toBe('reopened');
    expect(breaker.allowance(10, 1_200)).toBe(0);
    expect(breaker.allowance(10, 2_100)).toBe(1);
    breaker.started();
    expect(breaker.record(true, 2_200)).toBe('closed');
    expect(breaker.allowance(10, 2_201)).toBe(10);
  });

  it('forgets failures older than the window and never opens below the minimum of attempts', () => {
    const breaker = new CircuitBreaker(settings);
    for (let at = 0; at < 3; at += 1) expect(breaker.record(false, at)).toBeNull();
    // The three early failures fall out of the window: three fresh ones are still too few.
    for (let at = 20_000; at < 20_003; at += 1) expect(breaker.record(false, at)).toBeNull();
    expect(breaker.record(true, 20_004)).toBeNull();
    expect(breaker.record(false, 20_005)).toBe('opened');
  });

  it('resumes an open breaker from its stored state', () => {
    const breaker = new CircuitBreaker(settings, { state: 'open', openedAt: 5_000 });
    expect(breaker.allowance(3, 5_500)).toBe(0);
    expect(breaker.allowance(3, 6_000)).toBe(1);
  });

  it('limits requests per second with a token bucket of one second', () => {
    const bucket = new TokenBucket(5, 0);
    expect(bucket.available(0)).toBe(5);
    bucket.take(5);
    expect(bucket.available(0)).toBe(0);
    expect(bucket.nextTokenInMs(0)).toBe(200);
    expect(bucket.available(400)).toBe(2);
    // Never more than a second's worth.
    expect(bucket.available(60_000)).toBe(5);
    const unlimited = new TokenBucket(null, 0);
    expect(unlimited.available(0)).toBe(Infinity);
    expect(unlimited.nextTokenInMs(0)).toBeNull();
    // Below one per second the bucket still holds one token.
    const slow = new TokenBucket(0.5, 0);
    expect(slow.available(0)).toBe(1);
    slow.take(1);
    expect(slow.nextTokenInMs(0)).toBe(2_000);
  });
});
