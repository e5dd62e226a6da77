import { z } from 'zod';
import { appendAudit } from '../../platform/audit';
import { resolveConnectorTypesAsTenant } from '../../connectors/connectorTypes';
import { findConnectorRow, type ConnectorRow } from '../../platform/connectorStore';
import { errors } from '../errors';
import { defineRoute } from '../http/route';
import { signalActiveSync } from './activeSync';
import { setSyncSchedulePaused } from './syncSchedules';
import { apiKeyActor } from '../connectors/apiKeyActor';
import { connectorIdParams, connectorSchema, toConnectorView } from '../connectors/connectorView';
import { pauseSignal, resumeSignal } from '../../workflows/contracts';

export const connectorControlSchema = z.object({
  connector: connectorSchema,
  sync: z
    .object({ jobId: z.uuid(), signal: z.enum([pauseSignal.name, resumeSignal.name]) })
    .nullable()
    .describe('The running sync that was signalled, if any'),
});

export const pauseConnector = defineRoute({
  method: 'post',
  path: '/v1/connectors/:id/pause',
  auth: 'tenant',
  summary: 'Pause the connector: its running sync holds at the next page boundary, its schedule pauses, new syncs are refused until resumed',
  tags: ['connectors'],
  params: connectorIdParams,
  responses: {
    200: { description: 'The paused connector, and the sync it paused', schema: connectorControlSchema },
    404: { description: 'No such connector in this tenant' },
  },
  async handler({ deps, params, principal, req }) {
    const row = await deps.db.withTenant(principal.tenantId, async (trx) => {
      const current = await findConnectorRow(trx, principal.tenantId, params.id, { forUpdate: true });
      if (!current) throw errors.notFound('Connector');
      if (current.status === 'paused') return current;
      const [updated] = await trx<ConnectorRow>('connectors')
        .where({ id: params.id, tenant_id: principal.tenantId })
        .update({ status: 'paused', paused_reason: 'paused by user', paused_at: trx.fn.now(), updated_at: trx.fn.now() } as never)
        .returning('*');
      await appendAudit(trx, {
        tenantId: principal.tenantId,
        actor: apiKeyActor(principal, req),
        action: 'connector.paused',
        target: { type: 'connector', id: params.id },
        details: { reason: 'api' },
      });
      return updated!;
    });
    const jobId = await signalActiveSync(deps, principal.tenantId, row.id, pauseSignal);
    await setSyncSchedulePaused(deps, principal.tenantSlug, row.id, true, 'connector paused');
    await resolveConnectorTypesAsTenant(deps.db, principal.tenantId, [row.type]);
    return { status: 200, body: { connector: toConnectorView(row), sync: jobId ? { jobId, signal: pauseSignal.name } : null } };
  },
});
