import { withStartDeadline } from '../../platform/temporal/temporalUnavailable';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { durationMs } from '../../platform/config';
import { type ConnectorRow } from '../../platform/connectorStore';
import { temporalUiUrl } from '../../platform/temporal/connection';
import { searchAttributePairs } from '../../platform/temporal/searchAttributes';
import { workflowIds } from '../../platform/temporal/workflowIds';
import type { ConnectorTestInput, connectorTest } from '../../workflows/connectorTest';
import { ApiError, errors } from '../errors';
import { defineRoute } from '../http/route';
import { connectorIdParams } from './connectorView';
import { WORKFLOW_TYPES } from '../../workflows/contracts';
import { workflowRouting } from '../../platform/temporal/taskQueues';

const outcome = z.object({
  ok: z.boolean(),
  details: z.record(z.string(), z.unknown()).optional(),
  error: z.object({ code: z.string().describe('AUTH_FAILED, CONFIG_INVALID, RATE_LIMITED, UNAVAILABLE, …'), message: z.string() }).optional(),
  workflowId: z.string(),
  temporalUiUrl: z.url(),
});

export const testConnector = defineRoute({
  method: 'post',
  path: '/v1/connectors/:id/test',
  auth: 'tenant',
  summary: 'Check credentials and reachability through a short connectorTest workflow (visible in the Temporal UI)',
  tags: ['connectors'],
  params: connectorIdParams,
  responses: {
    200: { description: '`{ok: true, details}` or `{ok: false, error: {code, message}}`', schema: outcome },
    404: { description: 'No such connector in this tenant' },
    503: { description: 'The workflow did not finish within CONNECTOR_TEST_TIMEOUT (CONNECTOR_TEST_PENDING)' },
  },
  async handler({ deps, params, principal }) {
    const [row] = await deps.db.readAsTenant<Pick<ConnectorRow, 'id' | 'type'>>(
      principal.tenantId,
      deps.db.knex('connectors').select('id', 'type').where({ id: params.id }),
    );
    if (!row) throw errors.notFound('Connector');

    const workflowId = workflowIds.connectorTest(principal.tenantSlug, row.id, randomUUID());
    const input: ConnectorTestInput = { tenantId: principal.tenantId, connectorId: row.id, requestedBy: principal.keyId };
    const handle = await withStartDeadline(deps.temporal, () =>
      deps.temporal.workflow.start<typeof connectorTest>(WORKFLOW_TYPES.connectorTest, {
        workflowId,
        ...workflowRouting(deps.config, WORKFLOW_TYPES.connectorTest, principal.tenantId),
        args: [input],
        typedSearchAttributes: searchAttributePairs({
          TenantId: principal.tenantId,
          TenantSlug: principal.tenantSlug,
          JobKind: 'connector_test',
          ConnectorType: row.type,
          ConnectorId: row.id,
        }),
        staticSummary: `Test ${row.type} connector ${row.id}`,
      }),
    );
    const link = temporalUiUrl(deps.config, workflowId, handle.firstExecutionRunId);

    let timer: NodeJS.Timeout | undefined;
    try {
      const result = await Promise.race([
        handle.result(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () =>
              reject(
                new ApiError(503, 'CONNECTOR_TEST_PENDING', `connectorTest ${workflowId} did not finish within ${deps.config.CONNECTOR_TEST_TIMEOUT}`, [
                  { path: 'workflowId', message: workflowId },
                ]),
              ),
            durationMs(deps.config.CONNECTOR_TEST_TIMEOUT),
          );
        }),
      ]);
      return { status: 200, body: { ...result, workflowId, temporalUiUrl: link } };
    } finally {
      clearTimeout(timer);
    }
  },
});
