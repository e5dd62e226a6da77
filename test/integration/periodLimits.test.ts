import { type CreatedTenant, type TestResponse } from '../support/hub';
import { eventually } from '../support/eventually';
import { useHub, useStarted } from '../support/harness';
import { asBrowser, inviteAndAccept, signIn } from '../support/consoleUsers';
import { startSmtpCatcher } from '../support/smtpCatcher';

/**
 * Limits beyond the plan's (platform/limits): per-period API calls, jobs and syncs of the tenant
 * and of each user, per-key and per-user request rates, each with its own 429 code, shown in
 * /v1/usage; and the platform admin's scheduled raises, which apply and end by themselves.
 */
describe('per-period, per-user and per-key limits', () => {
  const smtp = useStarted(startSmtpCatcher, 'the SMTP catcher');
  const { hub } = useHub({ env: () => ({ SMTP_URL: smtp.url }) });
  const exportBody = { kind: 'export', params: { dataset: 'users', format: 'csv' } };

  async function tenantWith(limits: Record<string, unknown>): Promise<CreatedTenant> {
    const tenant = await hub.createTenant({ plan: 'professional' });
    const patched = await hub.request('PATCH', '/v1/tenant', { key: tenant.key, body: { settings: { limits } } });
    expect(patched.status).toBe(200);
    return tenant;
  }

  async function inSequence(count: number, call: () => Promise<TestResponse>): Promise<number[]> {
    const statuses: number[] = [];
    for (let index = 0; index < count; index += 1) statuses.push((await call()).status);
    return statuses;
  }

  const limitOf = (usage: TestResponse, id: string) => (usage.body.limits as Array<{ id: string }>).find((limit) => limit.id === id);

  it.each([
    ['day', 'TENANT_API_CALLS_DAILY_LIMIT'],
    ['month', 'TENANT_API_CALLS_MONTHLY_LIMIT'],
    ['year', 'TENANT_API_CALLS_YEARLY_LIMIT'],
  ])('tenant API calls per %s: exactly the limit gets through concurrent requests, then 429 %s with Retry-After', async (period, code) => {
    const tenant = await tenantWith({ apiCalls: { [period]: 7 } });
    const answers = await Promise.all(Array.from({ length: 15 }, () => hub.request('GET', '/v1/users?limit=1', { key: tenant.key })));
    expect(answers.map((answer) => answer.status).sort()).toEqual([...Array<number>(7).fill(200), ...Array<number>(8).fill(429)]);
    const refused = answers.filter((answer) => answer.status === 429);
    expect(refused[0]!.body.error.code).toBe(code);
    const retryAfter = Number(refused[0]!.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual({ day: 86_400, month: 31 * 86_400, year: 366 * 86_400 }[period]!);

    // Usage stays reachable and shows the limit used up.
    const usage = await hub.request('GET', '/v1/usage', { key: tenant.key });
    expect(usage.status).toBe(200);
    expect(limitOf(usage, `tenant.apiCalls.${period}`)).toMatchObject({ limit: 7, configured: 7, used: 7, remaining: 0, code, raisedUntil: null });
  });

  it('per API key: calls per month count each key on its own (429 API_KEY_API_CALLS_MONTHLY_LIMIT); requests per second (429 API_KEY_RATE_LIMITED)', async () => {
    const tenant = await tenantWith({ perApiKey: { apiCallsPerMonth: 4 } });
    const second = await hub.request('POST', '/v1/api-keys', { key: tenant.key, body: { name: 'second', role: 'manager' } });
    expect(second.status).toBe(201);
    const otherKey = second.body.apiKey.key as string;

    // Creating the second key was this key's first call of the month.
    expect(await inSequence(5, () => hub.request('GET', '/v1/users?limit=1', { key: tenant.key }))).toEqual([200, 200, 200, 429, 429]);
    const refused = await hub.request('GET', '/v1/users?limit=1', { key: tenant.key });
    expect(refused.body.error.code).toBe('API_KEY_API_CALLS_MONTHLY_LIMIT');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // The other key has its own budget: it is untouched, and its usage view shows its own count.
    expect(await inSequence(3, () => hub.request('GET', '/v1/users?limit=1', { key: otherKey }))).toEqual([200, 200, 200]);
    const usage = await hub.request('GET', '/v1/usage', { key: otherKey });
    expect(limitOf(usage, 'apiKey.apiCalls.month')).toMatchObject({ limit: 4, used: 3, remaining: 1 });

    const rated = await tenantWith({ perApiKey: { requestsPerSecond: 3 } });
    for (let attempt = 0; ; attempt += 1) {
      const answers = await Promise.all(Array.from({ length: 10 }, () => hub.request('GET', '/v1/users?limit=1', { key: rated.key })));
      const admitted = answers.filter((answer) => answer.status === 200).length;
      const limited = answers.filter((answer) => answer.status === 429);
      expect(limited.length).toBe(10 - admitted);
      expect(limited.length).toBeGreaterThan(0);
      expect(limited[0]!.body.error.code).toBe('API_KEY_RATE_LIMITED');
      expect(Number(limited[0]!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      // Within one second window exactly the limit gets through; a burst that straddles two windows gets twice that at most.
      expect(admitted).toBeLessThanOrEqual(6);
      if (admitted === 3 || attempt >= 4) break;
      await new Promise((resolve) => setTimeout(resolve, 1_100));
    }
  });

  it('per user: a console user’s API calls per day (429 USER_API_CALLS_DAILY_LIMIT) and jobs per month (429 USER_JOBS_MONTHLY_LIMIT); keys are not counted', async () => {
    const tenant = await tenantWith({ perUser: { apiCalls: { day: 5 }, jobs: { month: 2 } } });
    const user = await inviteAndAccept(hub, smtp, tenant, 'manager');
    const { response, session } = await signIn(hub, tenant, user.email, user.password);
    expect(response.status).toBe(201);
    const browser = asBrowser(hub, session);

    // Two jobs (two calls), one too many (the third call: refused by the job limit, which counts the call all the same).
    expect((await browser('POST', '/v1/jobs', { body: exportBody, csrf: true })).status).toBe(202);
    expect((await browser('POST', '/v1/jobs', { body: exportBody, csrf: true })).status).toBe(202);
    const thirdJob = await browser('POST', '/v1/jobs', { body: exportBody, csrf: true });
    expect(thirdJob.status).toBe(429);
    expect(thirdJob.body.error.code).toBe('USER_JOBS_MONTHLY_LIMIT');
    // The tenant's key starts jobs still: user limits count users.
    expect((await hub.request('POST', '/v1/jobs', { key: tenant.key, body: exportBody })).status).toBe(202);

    const usage = await browser('GET', '/v1/usage');
    expect(limitOf(usage, 'user.jobs.month')).toMatchObject({ limit: 2, used: 2, remaining: 0, scope: 'user' });
    expect(limitOf(usage, 'user.apiCalls.day')).toMatchObject({ limit: 5, used: 3, remaining: 2 });

    expect((await browser('GET', '/v1/users?limit=1')).status).toBe(200);
    expect((await browser('GET', '/v1/users?limit=1')).status).toBe(200);
    const refused = await browser('GET', '/v1/users?limit=1');
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('USER_API_CALLS_DAILY_LIMIT');
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(86_400);
    expect((await hub.request('GET', '/v1/users?limit=1', { key: tenant.key })).status).toBe(200);
  });

  it('tenant jobs per day (429 TENANT_JOBS_DAILY_LIMIT) and per year (429 TENANT_JOBS_YEARLY_LIMIT)', async () => {
    const daily = await tenantWith({ jobs: { day: 2 } });
    const answers = await Promise.all(Array.from({ length: 5 }, () => hub.request('POST', '/v1/jobs', { key: daily.key, body: exportBody })));
    expect(answers.map((answer) => answer.status).sort()).toEqual([202, 202, 429, 429, 429]);
    expect(answers.find((answer) => answer.status === 429)!.body.error.code).toBe('TENANT_JOBS_DAILY_LIMIT');

    const yearly = await tenantWith({ jobs: { year: 1, month: 5 } });
    expect((await hub.request('POST', '/v1/jobs', { key: yearly.key, body: exportBody })).status).toBe(202);
    const refused = await hub.request('POST', '/v1/jobs', { key: yearly.key, body: exportBody });
    expect(refused.body.error).toMatchObject({ code: 'TENANT_JOBS_YEARLY_LIMIT' });
    // The refused start counted against no other limit either.
    const usage = await hub.request('GET', '/v1/usage', { key: yearly.key });
    expect(limitOf(usage, 'tenant.jobs.month')).toMatchObject({ used: 1, remaining: 4 });
  });

  it('a scheduled raise applies at its start and expires at its end by itself', async () => {
    const tenant = await tenantWith({ apiCalls: { day: 2 } });
    expect(await inSequence(3, () => hub.request('GET', '/v1/users?limit=1', { key: tenant.key }))).toEqual([200, 200, 429]);

    const startsAt = new Date(Date.now() + 1_500);
    const endsAt = new Date(startsAt.getTime() + 4_000);
    const raised = await hub.request('POST', `/v1/admin/tenants/${tenant.id}/limit-raises`, {
      admin: true,
      body: { limit: 'tenant.apiCalls.day', value: 5, startsAt: startsAt.toISOString(), endsAt: endsAt.toISOString(), reason: 'migration weekend' },
    });
    expect(raised.status).toBe(201);
    expect(raised.body.raise).toMatchObject({ limit: 'tenant.apiCalls.day', value: 5, status: 'scheduled' });
    // Not before its start.
    if (Date.now() < startsAt.getTime() - 200) expect((await hub.request('GET', '/v1/users?limit=1', { key: tenant.key })).status).toBe(429);

    await eventually(
      async () => ((await hub.request('GET', '/v1/users?limit=1', { key: tenant.key })).status === 200 ? true : undefined),
      10_000,
      'the raise to apply',
    );
    const during = await hub.request('GET', '/v1/usage', { key: tenant.key });
    expect(limitOf(during, 'tenant.apiCalls.day')).toMatchObject({ limit: 5, configured: 2, raisedUntil: endsAt.toISOString() });
    // Exactly up to the raised limit (3 calls so far: 2 before the raise, 1 with it).
    if (Date.now() < endsAt.getTime() - 1_000) {
      expect(await inSequence(3, () => hub.request('GET', '/v1/users?limit=1', { key: tenant.key }))).toEqual([200, 200, 429]);
    }

    await eventually(
      async () => {
        const usage = await hub.request('GET', '/v1/usage', { key: tenant.key });
        return limitOf(usage, 'tenant.apiCalls.day')?.['raisedUntil' as never] === null ? usage : undefined;
      },
      15_000,
      'the raise to expire',
    ).then((usage) => expect(limitOf(usage, 'tenant.apiCalls.day')).toMatchObject({ limit: 2, configured: 2 }));
    expect((await hub.request('GET', '/v1/users?limit=1', { key: tenant.key })).status).toBe(429);
    const listed = await hub.request('GET', `/v1/admin/tenants/${tenant.id}/limit-raises`, { admin: true });
    expect(listed.body.data).toEqual([expect.objectContaining({ id: raised.body.raise.id, status: 'ended' })]);
  });

  it('a raise of the plan’s requests per second lifts it for its duration', async () => {
    const tenant = await hub.createTenant({ plan: 'starter' });
    const raised = await hub.request('POST', `/v1/admin/tenants/${tenant.id}/limit-raises`, {
      admin: true,
      body: { limit: 'tenant.requestsPerSecond', value: 40, endsAt: new Date(Date.now() + 60_000).toISOString() },
    });
    expect(raised.body.raise.status).toBe('active');
    const ok = await hub.request('GET', '/v1/users?limit=1', { key: tenant.key });
    expect(ok.headers.get('ratelimit-limit')).toBe('40');
    const cancelled = await hub.request('DELETE', `/v1/admin/tenants/${tenant.id}/limit-raises/${raised.body.raise.id}`, { admin: true });
    expect(cancelled.body.raise.status).toBe('cancelled');
    expect((await hub.request('GET', '/v1/users?limit=1', { key: tenant.key })).headers.get('ratelimit-limit')).toBe('10');
  });
});
