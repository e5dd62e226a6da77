import { CredentialCache, type CachedCredential } from '../../api/auth/credentialCache';
import { requiredScope, scopesAllow } from '../../api/auth/scopes';
import { auditChanges, redactSecrets } from '../../platform/auditDiff';
import { apiCallOverageCents, PLANS, scanOverageCents, seatOverageCents } from '../../platform/billing/catalogue';
import { effectiveSettings, mergePatch } from '../../platform/tenants/settings';
import { redactApiKeys } from '../../platform/apiKeys';

describe('plan catalogue', () => {
  it('carries the seed prices and limits in integer cents', () => {
    expect([PLANS.starter, PLANS.professional, PLANS.enterprise].map((plan) => [plan.monthlyPriceCents, plan.includedSeats, plan.apiCallsPerMonth])).toEqual([
      [29_900, 50, 10_000],
      [79_900, 200, 50_000],
      [199_900, 1_000, 200_000],
    ]);
    expect(PLANS.starter.requestsPerSecond).toBeLessThan(PLANS.professional.requestsPerSecond);
    expect(PLANS.professional.requestsPerSecond).toBeLessThan(PLANS.enterprise.requestsPerSecond);
  });

  it('bills overage per started 1,000 calls (not for plans that refuse), per seat and per scan', () => {
    expect(apiCallOverageCents(PLANS.professional, 50_000)).toBe(0);
    expect(apiCallOverageCents(PLANS.professional, 50_001)).toBe(400);
    expect(apiCallOverageCents(PLANS.professional, 52_000)).toBe(800);
    expect(apiCallOverageCents(PLANS.starter, 20_000)).toBe(0);
    expect(seatOverageCents(PLANS.starter, 53)).toBe(1_800);
    expect(scanOverageCents(PLANS.enterprise, 100_010)).toBe(50);
  });
});

describe('scopes', () => {
  it('derive from the path and verb', () => {
    expect(requiredScope('get', '/v1/users/:id')).toBe('users:read');
    expect(requiredScope('delete', '/v1/api-keys/:id')).toBe('api-keys:write');
    expect(requiredScope('patch', '/v1/tenant')).toBe('tenant:write');
  });
  it.each([
    [null, 'users:write', true],
    [['users:read'], 'users:read', true],
    [['users:read'], 'users:write', false],
    [['users:*'], 'users:write', true],
    [['*:read'], 'jobs:read', true],
    [['*:read'], 'jobs:write', false],
    [['*'], 'jobs:write', true],
    [[], 'users:read', false],
  ] as const)('%j allows %s: %s', (granted, required, expected) => {
    expect(scopesAllow(granted as string[] | null, required)).toBe(expected);
  });
});

describe('settings', () => {
  it('merge patches as RFC 7396 (null removes, arrays replace)', () => {
    expect(mergePatch({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { b: null, c: [3] }, e: 2 })).toEqual({ a: { c: [3] }, d: 1, e: 2 });
  });
  it('fills in the plan defaults and never exceeds the plan', () => {
    expect(effectiveSettings('starter', { limits: { maxConcurrentJobs: 50, maxConcurrentSyncs: 50 } }).limits).toEqual({
      maxConcurrentJobs: 2,
      maxJobsPerDay: 100,
      maxConcurrentSyncs: 2,
    });
  });
});

describe('audit redaction', () => {
  it('blanks secret-looking fields at any depth and keeps only changed fields', () => {
    expect(redactSecrets({ a: { clientSecret: 's', list: [{ password: 'p', ok: 1 }] }, token: 't' })).toEqual({
      a: { clientSecret: '[redacted]', list: [{ password: '[redacted]', ok: 1 }] },
      token: '[redacted]',
    });
    expect(auditChanges({ name: 'a', settings: { x: 1 }, same: 1 }, { name: 'b', settings: { x: 1 }, same: 1 })).toEqual({
      before: { name: 'a' },
      after: { name: 'b' },
    });
  });
  it('blanks API keys in free text', () => {
    expect(redactApiKeys('/v1/x?api_key=hub_sk_abcDEF123&y=1')).toBe('/v1/x?api_key=hub_sk_[redacted]&y=1');
  });
});

describe('credential cache', () => {
  const credential = (keyId: string, tenantId: string): CachedCredential => ({
    keyId,
    keyHash: 'h',
    role: 'viewer',
    scopes: null,
    expiresAt: null,
    revoked: false,
    tenant: { id: tenantId, slug: 's', status: 'active', plan: 'starter', ipAllowlist: [] },
  });

  it('caches only while enabled, evicts by key and by tenant, and drops lookups that raced an invalidation', () => {
    const cache = new CredentialCache({ ttlMs: 60_000, maxEntries: 10 });
    cache.set('p1', credential('k1', 't1'), cache.epoch());
    expect(cache.get('p1')).toBeUndefined();
    cache.setEnabled(true);
    cache.set('p1', credential('k1', 't1'), cache.epoch());
    cache.set('p2', credential('k2', 't1'), cache.epoch());
    cache.set('p3', credential('k3', 't2'), cache.epoch());
    expect(cache.get('p1')?.keyId).toBe('k1');
    cache.invalidateKey('k1');
    expect(cache.get('p1')).toBeUndefined();
    cache.invalidateTenant('t1');
    expect(cache.get('p2')).toBeUndefined();
    expect(cache.get('p3')?.keyId).toBe('k3');

    const before = cache.epoch();
    cache.invalidateKey('unrelated');
    cache.set('p4', credential('k4', 't3'), before);
    expect(cache.get('p4')).toBeUndefined();
  });

  it('expires entries after the TTL', () => {
    const cache = new CredentialCache({ ttlMs: 1_000, maxEntries: 10 });
    cache.setEnabled(true);
    cache.set('p1', credential('k1', 't1'), cache.epoch(), 0);
    expect(cache.get('p1', 500)).toBeDefined();
    expect(cache.get('p1', 1_001)).toBeUndefined();
  });
});
