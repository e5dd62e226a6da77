import knex from 'knex';
import pino from 'pino';
import { TenantRateLimiter } from '../../api/limits/tenantRateLimiter';
import { recordUsage } from '../../platform/metering/recordUsage';
import { startTestHub, type TestHub, type TestResponse } from '../support/hub';
import { useHub } from '../support/harness';

const burst = (hub: TestHub, key: string, count: number, path = '/v1/tenant') =>
  Promise.all(Array.from({ length: count }, () => hub.request('GET', path, { key })));
const statuses = (responses: TestResponse[]) => responses.map((response) => response.status);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('rate limits per plan (shared across replicas) and monthly quotas', () => {
  const { hub } = useHub();

  it('answers 429 RATE_LIMITED with Retry-After and RateLimit-* headers past the plan’s requests per second', async () => {
    const tenant = await hub.createTenant({ plan: 'starter' });
    const ok = await hub.request('GET', '/v1/tenant', { key: tenant.key });
    expect(ok.headers.get('ratelimit-limit')).toBe('10');
    expect(ok.headers.get('ratelimit-policy')).toBe('10;w=1');
    expect(Number(ok.headers.get('ratelimit-remaining'))).toBeLessThan(10);
    expect(Number(ok.headers.get('ratelimit-reset'))).toBeGreaterThanOrEqual(1);

    const responses = await burst(hub, tenant.key, 30);
    const limited = responses.filter((response) => response.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(statuses(responses).filter((status) => status === 200).length).toBeLessThanOrEqual(20);
    expect(limited[0]!.body.error.code).toBe('RATE_LIMITED');
    const retryAfter = Number(limited[0]!.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(limited[0]!.headers.get('ratelimit-remaining')).toBe('0');

    await sleep(retryAfter * 1000 + 50);
    expect((await hub.request('GET', '/v1/tenant', { key: tenant.key })).status).toBe(200);
  });

  it('one tenant’s budget is shared by all API replicas (counted in Postgres), not multiplied by them', async () => {
    const replica = await startTestHub();
    try {
      const tenant = await hub.createTenant({ plan: 'starter' });
      // Both replicas know the key (credential caches warm), so the bursts race on the limit only.
      await hub.request('GET', '/v1/tenant', { key: tenant.key });
      await replica.request('GET', '/v1/tenant', { key: tenant.key });
      for (let attempt = 0; attempt < 3; attempt += 1) {
        await sleep(1_100); // a fresh window
        const started = Date.now();
        const [first, second] = await Promise.all([burst(hub, tenant.key, 12), burst(replica, tenant.key, 12)]);
        const elapsed = Date.now() - started;
        const admitted = [...statuses(first), ...statuses(second)].filter((status) => status === 200).length;
        expect(admitted).toBeGreaterThan(0);
        expect([...statuses(first), ...statuses(second)].filter((status) => status === 429).length).toBe(24 - admitted);
        // Within one window the two replicas together admit at most the plan's 10 (each alone would admit 10).
        if (elapsed < 800) {
          expect(admitted).toBeLessThanOrEqual(10);
          return;
        }
      }
      throw new Error('the machine was too busy to fit a burst into one window three times');
    } finally {
      await replica.stop();
    }
  });

  it('falls back to an in-memory limiter when Postgres does not answer', async () => {
    const unreachable = knex({
      client: 'pg',
      connection: 'postgres://nobody:nothing@127.0.0.1:1/none',
      pool: { min: 0, max: 1 },
      acquireConnectionTimeout: 500,
      log: { warn: () => undefined, error: () => undefined, debug: () => undefined, deprecate: () => undefined },
    });
    try {
      const limiter = new TenantRateLimiter({ knex: unreachable, logger: pino({ level: 'silent' }), leasesPerWindow: 5 });
      const decisions = [];
      for (let index = 0; index < 14; index += 1) decisions.push(await limiter.take('00000000-0000-4000-8000-000000000001', 10));
      expect(decisions.filter((decision) => decision.allowed)).toHaveLength(10);
      expect(decisions.at(-1)).toMatchObject({ allowed: false, limit: 10, remaining: 0 });
    } finally {
      await unreachable.destroy();
    }
  });

  it('starter: past the monthly quota, 429 QUOTA_EXCEEDED (account routes stay reachable)', async () => {
    const tenant = await hub.createTenant({ plan: 'starter' });
    // This month so far: 9,997 of 10,000 calls.
    await recordUsage(hub.db, { tenantId: tenant.id, kind: 'api_call', quantity: 9_997, dedupeKey: 'test/seed' });
    const answers: number[] = [];
    for (let index = 0; index < 5; index += 1) answers.push((await hub.request('GET', '/v1/users', { key: tenant.key })).status);
    expect(answers).toEqual([200, 200, 200, 429, 429]);
    const refused = await hub.request('GET', '/v1/users', { key: tenant.key });
    expect(refused.body.error.code).toBe('QUOTA_EXCEEDED');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.body.error.details[0]).toMatchObject({ used: 10_000, limit: 10_000 });

    expect((await hub.request('GET', '/v1/tenant', { key: tenant.key })).status).toBe(200);
    const usage = await hub.request('GET', '/v1/usage', { key: tenant.key });
    expect(usage.status).toBe(200);
    // Refused calls are recorded but not counted: 9,997 + 3 admitted + GET /v1/tenant.
    expect(usage.body.quota).toMatchObject({ limit: 10_000, used: 10_001, remaining: 0, policy: 'refuse', overageCalls: 0, overageCents: 0 });
  });

  it('professional and enterprise: past the quota calls go on and are billed as overage', async () => {
    for (const [plan, included, centsPer1000] of [
      ['professional', 50_000, 400],
      ['enterprise', 200_000, 300],
    ] as const) {
      const tenant = await hub.createTenant({ plan });
      await recordUsage(hub.db, { tenantId: tenant.id, kind: 'api_call', quantity: included - 2, dedupeKey: 'test/seed' });
      const answers: number[] = [];
      for (let index = 0; index < 5; index += 1) answers.push((await hub.request('GET', '/v1/users', { key: tenant.key })).status);
      expect(answers).toEqual([200, 200, 200, 200, 200]);
      const usage = await hub.request('GET', '/v1/usage', { key: tenant.key });
      expect(usage.body.quota).toMatchObject({
        limit: included,
        used: included + 3,
        remaining: 0,
        policy: 'bill_overage',
        overageCalls: 3,
        overageCents: centsPer1000,
      });
    }
  });
});
