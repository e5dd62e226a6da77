import { randomUUID } from 'node:crypto';
import { type CreatedTenant } from '../support/hub';
import { useHub } from '../support/harness';

/**
 * Tenant job limits (settings.limits, capped by the plan) in startJob. The API runs without a
 * worker, so started jobs stay queued and hold their slot for the whole test.
 */
describe('jobs: tenant job limits', () => {
  // Tenants are onboarded by a workflow: one hub with a worker creates them, the other has none.
  const { hub: worker } = useHub();
  const { hub, owner } = useHub({ worker: false });
  const exportBody = { kind: 'export', params: { dataset: 'users', format: 'csv' } };

  async function tenantWith(limits: Record<string, number>): Promise<CreatedTenant> {
    const tenant = await worker.createTenant({ plan: 'professional' });
    const patched = await hub.request('PATCH', '/v1/tenant', { key: tenant.key, body: { settings: { limits } } });
    expect(patched.status).toBe(200);
    return tenant;
  }

  it('refuses a job beyond maxConcurrentJobs with 429 JOB_CONCURRENCY_LIMIT, also under concurrent requests', async () => {
    const tenant = await tenantWith({ maxConcurrentJobs: 2 });
    const answers = await Promise.all(Array.from({ length: 6 }, () => hub.request('POST', '/v1/jobs', { key: tenant.key, body: exportBody })));
    expect(answers.map((answer) => answer.status).sort()).toEqual([202, 202, 429, 429, 429, 429]);
    const refused = answers.find((answer) => answer.status === 429)!;
    expect(refused.body.error).toMatchObject({ code: 'JOB_CONCURRENCY_LIMIT', message: expect.stringContaining('maxConcurrentJobs') });
    expect(refused.headers.get('retry-after')).toBe('30');
    expect(await owner('jobs').where({ tenant_id: tenant.id }).count({ n: '*' })).toEqual([{ n: '2' }]);

    // A finished job frees its slot.
    const [first] = await owner('jobs').where({ tenant_id: tenant.id }).select('id');
    await owner('jobs').where({ id: first.id }).update({ status: 'completed', finished_at: owner.fn.now() });
    expect((await hub.request('POST', '/v1/jobs', { key: tenant.key, body: exportBody })).status).toBe(202);
  });

  it('refuses a job beyond maxJobsPerDay with 429 JOB_DAILY_LIMIT until the next UTC day', async () => {
    const tenant = await tenantWith({ maxJobsPerDay: 3 });
    const finished = (createdAt: string) => ({
      id: randomUUID(),
      tenant_id: tenant.id,
      kind: 'export',
      status: 'completed',
      workflow_id: `job/${tenant.slug}/export/${randomUUID()}`,
      created_at: createdAt,
    });
    // Yesterday's jobs do not count; two of today's do.
    await owner('jobs').insert([
      finished(new Date(Date.now() - 86_400_000 * 1.5).toISOString()),
      finished(new Date().toISOString()),
      finished(new Date().toISOString()),
    ]);
    expect((await hub.request('POST', '/v1/jobs', { key: tenant.key, body: exportBody })).status).toBe(202);
    const refused = await hub.request('POST', '/v1/jobs', { key: tenant.key, body: exportBody });
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ code: 'JOB_DAILY_LIMIT', message: expect.stringContaining('3 per day') });
    expect(Number(refused.headers.get('retry-after'))).toBeLessThanOrEqual(86_400);
    // Every kind is limited: an import is refused the same way.
    const upload = await hub.request('POST', '/v1/uploads?name=u.csv', {
      key: tenant.key,
      rawBody: 'email,name,role\n',
      headers: { 'Content-Type': 'text/csv' },
    });
    const importJob = await hub.request('POST', '/v1/jobs', { key: tenant.key, body: { kind: 'user_import', params: { uploadId: upload.body.upload.id } } });
    expect(importJob.body.error.code).toBe('JOB_DAILY_LIMIT');
  });
});
