import { Context } from '@temporalio/activity';
import { appendAudit } from '../../platform/audit';
import { type ActivityDeps } from '../deps';
import { type ConnectorRef } from './connectorRef';
import { withConnector } from './connectorRuntime';

/** Outcome of a connection test as the API reports it. */
export interface ConnectorTestOutcome {
  ok: boolean;
  details?: Record<string, unknown>;
  error?: { code: string; message: string };
}

/** Activities of the connectorTest workflow (and anything else that checks a connection). */
export function createConnectorActivities(deps: Pick<ActivityDeps, 'config' | 'db' | 'logger' | 'vault'>) {
  return {
    /**
     * Calls the connector's testConnection() through the runtime. Classified failures leave as
     * Temporal failures (auth/config not retried, rate limits after Retry-After); a test never
     * pauses the connector.
     */
    async testConnectorConnection(ref: ConnectorRef): Promise<{ details: Record<string, unknown> }> {
      const context = Context.current();
      return withConnector(deps, ref, ({ instance }) => instance.testConnection(), {
        signal: context.cancellationSignal,
        heartbeat: (details) => context.heartbeat(details),
        pauseOnAuthError: false,
      });
    },

    /** Stores the outcome on the connector row with an audit row; idempotent on `eventKey`. */
    async recordConnectorTest(input: ConnectorRef & { outcome: ConnectorTestOutcome; eventKey: string; requestedBy?: string }): Promise<void> {
      await deps.db.withTenant(input.tenantId, async (trx) => {
        await trx('connectors')
          .where({ id: input.connectorId, tenant_id: input.tenantId })
          .update({
            last_tested_at: trx.fn.now(),
            last_test_ok: input.outcome.ok,
            last_test_error: input.outcome.error ? JSON.stringify(input.outcome.error) : null,
          });
        await appendAudit(trx, {
          tenantId: input.tenantId,
          actor: input.requestedBy ? { type: 'api_key', id: input.requestedBy } : { type: 'system' },
          action: 'connector.tested',
          target: { type: 'connector', id: input.connectorId },
          details: { ok: input.outcome.ok, ...(input.outcome.error ? { errorCode: input.outcome.error.code } : {}) },
          eventKey: input.eventKey,
        });
      });
    },
  };
}
