import { type Payload } from '@temporalio/common';
import { type Request } from 'express';
import { z } from 'zod';
import { appendAudit } from '../../platform/audit';
import { isEncrypted } from '../../platform/temporal/payloadEncryption';
import { type ApiDeps } from '../deps';
import { errors } from '../errors';
import { defineRoute } from '../http/route';
import { codecFor, codecPayloadsJson, codecPayloadsSchema, readCodecPayloads } from './codecProtocol';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Codec server, decode side (Temporal's remote codec protocol): the Temporal UI or CLI sends the
 * encrypted payloads of a history and gets them back readable. Patient data may be among them, so
 * only the platform admin may call it, and every call is audited: a log line always, and a row in
 * the audit log of each tenant a decoded payload names (workflow and activity inputs carry their
 * tenantId), so a tenant can see that the operator read its workflow data.
 */
export const decodePayloads = defineRoute({
  method: 'post',
  path: '/codec/decode',
  auth: 'admin',
  summary: 'Temporal codec server: decrypt workflow payloads for the Temporal UI / CLI (platform admin; audited)',
  tags: ['admin', 'temporal'],
  rawBody: { contentTypes: ['application/json'] },
  documentedBody: codecPayloadsSchema,
  responses: {
    200: { description: 'The payloads, decrypted (payloads that were not encrypted come back unchanged)', schema: codecPayloadsSchema },
    400: { description: 'Not the codec protocol JSON, or a payload that fails authentication' },
    401: { description: 'Not the platform admin token' },
    413: { description: 'Body over 16 MB' },
  },
  async handler({ deps, req, res }) {
    const payloads = await readCodecPayloads(req, res);
    const decoded = await codecFor(deps.vault.keyring)
      .decode(payloads)
      .catch((error: unknown) => {
        throw errors.badRequest('UNDECODABLE_PAYLOAD', (error as Error).message);
      });
    await auditDecode(deps, req, payloads, decoded);
    return { status: 200, body: codecPayloadsJson(decoded) };
  },
});

async function auditDecode(deps: ApiDeps, req: Request, sent: Payload[], decoded: Payload[]): Promise<void> {
  const encrypted = sent.filter(isEncrypted).length;
  const tenantIds = [...new Set(decoded.map(tenantIdOf).filter((id): id is string => id !== undefined))];
  const namespace = req.header('x-namespace') ?? deps.config.TEMPORAL_NAMESPACE;
  const requestId = String(req.id ?? '') || undefined;
  deps.logger.info(
    { audit: true, action: 'temporal_payload.decoded', actor: 'platform_admin', ip: req.ip, namespace, payloads: sent.length, encrypted, tenantIds },
    'platform admin decoded Temporal payloads',
  );
  if (encrypted === 0) return;
  for (const tenantId of tenantIds) {
    await deps.db
      .withTenant(tenantId, (trx) =>
        appendAudit(trx, {
          tenantId,
          actor: { type: 'platform_admin', ip: req.ip, requestId },
          action: 'temporal_payload.decoded',
          details: { namespace, payloads: sent.length, encrypted },
        }),
      )
      .catch((error: unknown) => deps.logger.warn({ err: error, tenantId }, 'could not record a payload decode in the tenant audit log'));
  }
}

/** The `tenantId` a JSON payload (a workflow or activity input) names at its top level. */
function tenantIdOf(payload: Payload): string | undefined {
  if (Buffer.from(payload.metadata?.encoding ?? new Uint8Array()).toString('utf8') !== 'json/plain') return undefined;
  try {
    const value = JSON.parse(Buffer.from(payload.data ?? new Uint8Array()).toString('utf8')) as unknown;
    const tenantId = z.object({ tenantId: z.string().regex(UUID) }).safeParse(value);
    return tenantId.success ? tenantId.data.tenantId : undefined;
  } catch {
    return undefined;
  }
}
