import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { storeTenantFile } from '../../platform/files/tenantFiles';
import { type CreatedTenant, type TestHub } from './hub';
import { eventually } from './eventually';

/** Starts a job through `POST /v1/jobs` and answers the 202 job (fails the test otherwise). */
export async function startJobVia(hub: TestHub, tenant: CreatedTenant, kind: string, params: Record<string, unknown>) {
  const response = await hub.request('POST', '/v1/jobs', { key: tenant.key, body: { kind, params } });
  if (response.status !== 202) throw new Error(`start ${kind}: ${response.status} ${response.text}`);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return response.body.job as any;
}

/** Polls `GET /v1/jobs/:id` until the job has finished (completed, with errors too, failed or cancelled). */
export async function finishedJob(hub: TestHub, tenant: CreatedTenant, jobId: string, timeoutMs = 120_000) {
  return eventually(
    async () => {
      const response = await hub.request('GET', `/v1/jobs/${jobId}`, { key: tenant.key });
      return ['completed', 'completed_with_errors', 'failed', 'cancelled'].includes(response.body?.job?.status) ? response.body.job : undefined;
    },
    timeoutMs,
    `job ${jobId} to finish`,
  );
}

/**
 * Puts a file into the tenant's uploads the way `POST /v1/uploads` does (storeTenantFile), and
 * answers its id.
 */
export async function uploadFile(hub: TestHub, tenant: CreatedTenant, file: { name: string; contentType: string; body: string | Buffer }): Promise<string> {
  const id = randomUUID();
  await storeTenantFile(hub, {
    tenantId: tenant.id,
    id,
    purpose: 'upload',
    name: file.name,
    contentType: file.contentType,
    source: Readable.from([Buffer.from(file.body)]),
  });
  return id;
}

/** Polls GET /v1/jobs/:id until `predicate` holds for the job. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function jobWhen(hub: TestHub, tenant: CreatedTenant, jobId: string, predicate: (job: any) => boolean, what: string, timeoutMs = 60_000) {
  return eventually(
    async () => {
      const response = await hub.request('GET', `/v1/jobs/${jobId}`, { key: tenant.key });
      return response.status === 200 && predicate(response.body.job) ? response.body.job : undefined;
    },
    timeoutMs,
    what,
  );
}
