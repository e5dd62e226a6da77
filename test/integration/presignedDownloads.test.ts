import { useHub, useStarted } from '../support/harness';
import { finishedJob, startJobVia } from '../support/jobs';
import { startS3Server } from '../support/s3Server';

/** S3_PRESIGNED_DOWNLOADS: a job's output is fetched from the bucket by a short-lived URL, not streamed by the API. */
describe('job downloads with presigned S3 URLs', () => {
  const s3 = useStarted(() => startS3Server({ bucket: 'hub-presigned' }), 'the S3 server');
  const { hub, tenant, owner } = useHub({
    env: () => ({ ...s3.env, S3_KEY_PREFIX: 'presigned/', S3_PRESIGNED_DOWNLOADS: 'true', S3_PRESIGNED_EXPIRY: '2m' }),
    tenants: [{ plan: 'enterprise' }],
  });

  it('answers 302 to a presigned URL that serves the file, audited like a streamed download', async () => {
    const started = await startJobVia(hub, tenant, 'export', { dataset: 'users', format: 'csv' });
    const jobId = started.id as string;
    const job = await finishedJob(hub, tenant, jobId);
    expect(job.status).toBe('completed');

    const answer = await fetch(`${hub.url}/v1/jobs/${jobId}/download`, { headers: { 'X-API-Key': tenant.key }, redirect: 'manual' });
    expect(answer.status).toBe(302);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    const location = new URL(answer.headers.get('location')!);
    expect(location.origin).toBe(s3.endpoint);
    expect(location.pathname).toBe(`/hub-presigned/presigned/${tenant.id}/${job.result.file.id}`);
    expect(location.searchParams.get('X-Amz-Expires')).toBe('120');

    // The bucket serves it to anyone holding the URL: no API key, no S3 credentials.
    const file = await fetch(location);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toContain('text/csv');
    expect(file.headers.get('content-disposition')).toMatch(/^attachment; filename=".+\.csv"$/);
    const csv = await file.text();
    expect(csv.split('\n')[0]).toContain('email');
    expect(csv).toContain('@');

    const audited = await owner('audit_log').where({ tenant_id: tenant.id, action: 'job.output_downloaded' });
    expect(audited).toHaveLength(1);

    // Without the tenant's key there is no URL.
    expect((await fetch(`${hub.url}/v1/jobs/${jobId}/download`, { redirect: 'manual' })).status).toBe(401);
  });
});
