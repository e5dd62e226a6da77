import { ActivityFailure, ApplicationFailure, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { HubActivities } from '../activities';
import type { ConnectorTestOutcome } from '../activities/connectors/createConnectorActivities';
import { NON_RETRYABLE_CONNECTOR_FAILURE_TYPES, TEST_ERROR_CODES, type ConnectorTestInput } from './contracts';

export type { ConnectorTestInput };

const { testConnectorConnection } = proxyActivities<HubActivities>({
  startToCloseTimeout: '30 seconds',
  // Short: a test answers an API call. Rate limits wait for Retry-After (nextRetryDelay).
  retry: {
    initialInterval: '500 ms',
    backoffCoefficient: 2,
    maximumInterval: '5 seconds',
    maximumAttempts: 3,
    nonRetryableErrorTypes: NON_RETRYABLE_CONNECTOR_FAILURE_TYPES,
  },
});

const { recordConnectorTest } = proxyActivities<HubActivities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 ms', maximumInterval: '10 seconds', maximumAttempts: 10 },
});

/**
 * `POST /v1/connectors/:id/test`: checks credentials and reachability through the connector
 * runtime and records the outcome on the connector, so the check is visible in the Temporal UI.
 * Workflow id `connector-test/<slug>/<connectorId>/<testId>`.
 */
export async function connectorTest(input: ConnectorTestInput): Promise<ConnectorTestOutcome> {
  let outcome: ConnectorTestOutcome;
  try {
    const { details } = await testConnectorConnection({ tenantId: input.tenantId, connectorId: input.connectorId });
    outcome = { ok: true, details };
  } catch (error) {
    if (!(error instanceof ActivityFailure)) throw error;
    const failure = error.cause;
    const code = failure instanceof ApplicationFailure ? (TEST_ERROR_CODES[failure.type ?? ''] ?? 'CONNECTION_FAILED') : 'TIMED_OUT';
    outcome = { ok: false, error: { code, message: failure?.message ?? error.message } };
  }
  await recordConnectorTest({
    tenantId: input.tenantId,
    connectorId: input.connectorId,
    outcome,
    requestedBy: input.requestedBy,
    eventKey: `${workflowInfo().workflowId}/connector.tested`,
  });
  return outcome;
}
