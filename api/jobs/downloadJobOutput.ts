import { pipeline } from 'node:stream/promises';
import { appendAudit } from '../../platform/audit';
import { durationMs } from '../../platform/config';
import { ApiError, errorResponseSchema, errors } from '../errors';
import { defineRoute, RESPONDED } from '../http/route';
import { assertJobAccess } from './jobAccess';
import { jobKinds } from './jobKinds';
import { type JobRow } from './jobView';
import { jobIdParams, UUID } from './jobParams';
import { auditActor } from '../auth/auditActor';

interface FileRow {
  id: string;
  name: string;
  content_type: string;
  size: string;
  sha256: string;
  storage_key: string;
  expired_at: Date | null;
}

export const downloadJobOutput = defineRoute({
  method: 'get',
  path: '/v1/jobs/:id/download',
  auth: 'tenant',
  summary: "The job's output file (exports, import error reports, backups); it needs the role and key scopes starting the job needs",
  tags: ['jobs'],
  params: jobIdParams,
  responses: {
    200: { description: 'The file', contentType: 'application/octet-stream' },
    302: {
      description:
        'With S3_PRESIGNED_DOWNLOADS (S3 file store): the file is at the URL in Location, presigned for S3_PRESIGNED_EXPIRY; fetch it without credentials',
    },
    403: {
      description: 'The role or key scopes fall short of what the job’s kind needs for its data, as when starting it (FORBIDDEN)',
      schema: errorResponseSchema,
    },
    404: { description: 'No such job, or it has no output (yet)' },
    410: { description: 'The output expired (JOB_OUTPUT_EXPIRED): outputs are kept HUB_FILE_RETENTION; run the job again', schema: errorResponseSchema },
  },
  async handler({ deps, principal, params, req, res }) {
    if (!UUID.test(params.id)) throw errors.notFound('Job');
    const [row] = await deps.db.readAsTenant<JobRow>(principal.tenantId, deps.db.knex('jobs').where({ id: params.id }));
    if (!row) throw errors.notFound('Job');
    // The output holds the data the job read (an export of audit logs): it needs what starting the job needed.
    const kind = jobKinds[row.kind];
    if (kind) {
      const params = kind.params.safeParse(row.params);
      assertJobAccess(
        principal,
        params.success ? kind.access(params.data) : { role: 'admin', scopes: ['*:read'] },
        `Downloading this ${row.kind} job's output`,
      );
    }
    const fileId = (row.result?.file as { id?: string } | undefined)?.id;
    if (!fileId) throw errors.notFound(row.status === 'completed' ? 'Job output' : `Job output (the job is ${row.status})`);
    const file = await deps.db.withTenant(principal.tenantId, async (trx) => {
      const found = (await trx('files').where({ id: fileId }).first()) as FileRow | undefined;
      if (found && !found.expired_at) {
        // Outputs may carry PHI: every download is an audited access.
        await appendAudit(trx, {
          tenantId: principal.tenantId,
          actor: auditActor(principal, req),
          action: 'job.output_downloaded',
          target: { type: 'file', id: found.id },
          details: { jobId: row.id, kind: row.kind, sha256: found.sha256 },
        });
      }
      return found;
    });
    if (!file) throw errors.notFound('Job output');
    if (file.expired_at) {
      throw new ApiError(410, 'JOB_OUTPUT_EXPIRED', `The job's output expired on ${file.expired_at.toISOString()} and was deleted; run the job again`);
    }
    if (deps.config.S3_PRESIGNED_DOWNLOADS && deps.files.presignedDownloadUrl) {
      // The bucket serves the bytes: the API process does not carry them. The URL is a bearer
      // credential for one file until it expires, so it must not be cached on the way.
      const url = await deps.files.presignedDownloadUrl(file.storage_key, {
        expiresInSeconds: Math.floor(durationMs(deps.config.S3_PRESIGNED_EXPIRY) / 1000),
        fileName: file.name,
        contentType: file.content_type,
      });
      res.setHeader('Cache-Control', 'no-store');
      res.redirect(302, url);
      return RESPONDED;
    }
    res.status(200);
    res.setHeader('Content-Type', file.content_type);
    res.setHeader('Content-Length', String(file.size));
    res.setHeader('Content-Disposition', `attachment; filename="${file.name.replace(/"/g, '')}"`);
    res.setHeader('Digest', `sha-256=${Buffer.from(file.sha256, 'hex').toString('base64')}`);
    try {
      await pipeline(deps.files.get(file.storage_key), res);
    } catch (error) {
      // A client that hangs up mid-download is routine, not a server fault; a failing store is.
      if (!isClientHangUp(error)) throw error;
      deps.logger.info({ err: error, jobId: row.id, fileId: file.id }, 'client closed the connection during a download');
    }
    return RESPONDED;
  },
});

/** What a pipeline into the response rejects with when the client goes away before the end. */
function isClientHangUp(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ECONNRESET' || code === 'EPIPE';
}
