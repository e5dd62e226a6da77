import { appendAudit } from '../../platform/audit';
import { resolveConnectorTypesAsTenant } from '../../connectors/connectorTypes';
import { findConnectorRow, type ConnectorRow } from '../../platform/connectorStore';
import { errors } from '../errors';
import { defineRoute } from '../http/route';
import { signalActiveSync } from './activeSync';
import { setSyncSchedulePaused } from './syncSchedules';
import { apiKeyActor } from '../connectors/apiKeyActor';
import { connectorIdParams, toConnectorView } from '../connectors/connectorView';
import { connectorControlSchema } from './pauseConnector';
import { resumeSignal } from '../../workflows/contracts';

export const resumeConnector = defineRoute({
  method: 'post',
  path: '/v1/connectors/:id/resume',
  auth: 'tenant',
  summary: 'Resume a paused connector: its held sync continues from its last committed page, its schedule runs again',
  tags: ['connectors'],
  params: connectorIdParams,
  responses: {
    200: { description: 'The active connector, and the sync it resumed', schema: connectorControlSchema },
    404: { description: 'No such connector in this tenant' },
  },
  async handler({ deps, params, principal, req }) {
    const row = await deps.db.withTenant(principal.tenantId, async (trx) => {
      const current = await findConnectorRow(trx, principal.tenantId, params.id, { forUpdate: true });
      if (!current) throw errors.notFound('Connector');
      if (current.status === 'active') return current;
      const [updated] = await trx<ConnectorRow>('connectors')
        .where({ id: params.id, tenant_id: principal.tenantId })
        .update({ status: 'active', paused_reason: null, paused_at: null, updated_at: trx.fn.now() } as never)
        .returning('*');
      await appendAudit(trx, {
        tenantId: principal.tenantId,
        actor: apiKeyActor(principal, req),
        action: 'connector.resumed',
        target: { type: 'connector', id: params.id },
        details: { previousReason: current.paused_reason },
      });
      return updated!;
    });
    const jobId = await signalActiveSync(deps, principal.tenantId, row.id, resumeSignal);
    await setSyncSchedulePaused(deps, principal.tenantSlug, row.id, false, 'connector resumed');
    await resolveConnectorTypesAsTenant(deps.db, principal.tenantId, [row.type]);
    return { status: 200, body: { connector: toConnectorView(row), sync: jobId ? { jobId, signal: resumeSignal.name } : null } };
  },
});
