import busboy from 'busboy';
import { randomUUID } from 'node:crypto';
import { type Readable } from 'node:stream';
import { type Request } from 'express';
import { z } from 'zod';
import { appendAudit } from '../../platform/audit';
import { planOf } from '../../platform/billing/catalogue';
import { durationMs } from '../../platform/config';
import { ObjectTooLargeError } from '../../platform/files/fileStore';
import { SniffingStream } from '../../platform/files/sniffContentType';
import { StorageQuotaExceededError } from '../../platform/files/storageQuota';
import { storeTenantFile } from '../../platform/files/tenantFiles';
import { auditActor } from '../auth/auditActor';
import { ApiError, errorResponseSchema, errors } from '../errors';
import { defineRoute } from '../http/route';
import { storageQuotaApiError } from '../limits/storageLimit';
import { nonBlankText } from '../http/textFields';

export const uploadSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  size: z.number().int(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  contentType: z.string().describe('Sniffed from the bytes (magic numbers), not taken from the request'),
  expiresAt: z.iso.datetime().describe('When the upload is deleted (HUB_FILE_RETENTION after it was stored)'),
});

const SAFE_NAME = /[^A-Za-z0-9._ -]/g;

/** The file part of a multipart body (the first file field), as a stream with its file name. */
function multipartFile(req: Request, maxBytes: number): Promise<{ stream: Readable; name: string }> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers: req.headers, limits: { files: 1, fileSize: maxBytes + 1, fields: 20 } });
    } catch (error) {
      reject(errors.badRequest('INVALID_MULTIPART', `The multipart body cannot be read: ${(error as Error).message}`));
      return;
    }
    let found = false;
    parser.on('file', (_field, stream, info) => {
      found = true;
      resolve({ stream, name: info.filename || 'upload' });
    });
    parser.on('error', (error: Error) => reject(errors.badRequest('INVALID_MULTIPART', `The multipart body cannot be read: ${error.message}`)));
    parser.on('close', () => {
      if (!found) reject(errors.badRequest('NO_FILE', 'The multipart body has no file part'));
    });
    req.pipe(parser);
  });
}

/**
 * `POST /v1/uploads`: streams a job input file (multipart/form-data with one file part, or the raw
 * body of any other type, named by `?name=`) into the tenant's file store with the configured size
 * limit, measuring SHA-256 and sniffing the content type on the way; never buffered whole.
 */
export const createUpload = defineRoute({
  method: 'post',
  path: '/v1/uploads',
  auth: 'tenant',
  summary: 'Upload an input file for jobs (multipart or raw body); answers its id, size, SHA-256 and sniffed content type',
  tags: ['jobs'],
  query: z.strictObject({ name: nonBlankText(200).optional().describe('File name of a raw-body upload') }),
  rawBody: {
    contentTypes: [
      'multipart/form-data',
      'application/octet-stream',
      'text/csv',
      'application/x-ndjson',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    ],
  },
  responses: {
    201: { description: 'The stored upload', schema: z.object({ upload: uploadSchema }) },
    400: { description: 'A multipart body without a file part (NO_FILE) or unreadable (INVALID_MULTIPART)' },
    413: {
      description:
        "The file exceeds HUB_UPLOAD_MAX_BYTES (UPLOAD_TOO_LARGE), or the tenant's files would exceed its plan's storage quota (STORAGE_QUOTA_EXCEEDED)",
      schema: errorResponseSchema,
    },
  },
  async handler({ deps, principal, query, req }) {
    const maxBytes = deps.config.HUB_UPLOAD_MAX_BYTES;
    const multipart = (req.headers['content-type'] ?? '').toLowerCase().startsWith('multipart/form-data');
    const { stream, name } = multipart ? await multipartFile(req, maxBytes) : { stream: req as Readable, name: query.name ?? 'upload' };
    const cleanName = name.replace(SAFE_NAME, '_').slice(0, 200) || 'upload';
    const sniffer = new SniffingStream();
    stream.on('error', (error) => sniffer.destroy(error));
    const id = randomUUID();
    let stored;
    try {
      stored = await storeTenantFile(deps, {
        tenantId: principal.tenantId,
        id,
        purpose: 'upload',
        name: cleanName,
        // Sniffed below, once the bytes are in; the row is updated with the result.
        contentType: 'application/octet-stream',
        source: stream.pipe(sniffer),
        maxBytes,
        quotaBytes: planOf(principal.plan).storageBytes,
        expiresInMs: durationMs(deps.config.HUB_FILE_RETENTION),
        createdBy: `api_key:${principal.keyId}`,
      });
    } catch (error) {
      if (error instanceof ObjectTooLargeError) {
        stream.resume(); // drain what the client still sends so it can read the answer
        throw new ApiError(413, 'UPLOAD_TOO_LARGE', `The file exceeds the limit of ${maxBytes} bytes`);
      }
      if (error instanceof StorageQuotaExceededError) {
        // Refused before a byte was read when the tenant was already full: nothing consumes the pipe.
        stream.unpipe(sniffer);
        stream.resume();
        throw storageQuotaApiError(error, 'The upload');
      }
      throw error;
    }
    const contentType = await sniffer.contentType(cleanName);
    await deps.db.withTenant(principal.tenantId, async (trx) => {
      await trx('files').where({ id }).update({ content_type: contentType });
      await appendAudit(trx, {
        tenantId: principal.tenantId,
        actor: auditActor(principal, req),
        action: 'file.uploaded',
        target: { type: 'file', id },
        details: { name: cleanName, size: stored.size, sha256: stored.sha256, contentType },
      });
    });
    const upload = { id, name: cleanName, size: stored.size, sha256: stored.sha256, contentType, expiresAt: stored.expiresAt!.toISOString() };
    return { status: 201, body: { upload } };
  },
});
