import { type HubConfig } from '../../platform/config';
import { searchAttributePairs } from '../../platform/temporal/searchAttributes';
import { type SyncMode, type SyncTrigger } from '../../platform/sync/syncModel';
import type { ConnectorSyncInput } from '../../workflows/sync/syncState';

const SUMMARY_OF_MODE: Record<SyncMode, string> = { incremental: 'Incremental sync', full_refresh: 'Full refresh', reconcile: 'Reconciliation' };

/** The connector a sync is about, as the API loaded it. */
export interface SyncConnector {
  id: string;
  type: string;
  name: string;
  status: 'active' | 'paused';
}

/**
 * What every `connectorSync` start carries, whether the API starts it or a schedule does: the
 * workflow input (without the job id, which only API starts have), the search attributes ops filter
 * by (`TenantId`, `TenantSlug`, `JobKind=sync`, `ConnectorType`, `ConnectorId`) and the memo shown in
 * the Temporal UI (connector name, streams, mode).
 */
export function syncWorkflowStart(
  config: Pick<HubConfig, 'SYNC_MAX_PARALLEL_STREAMS' | 'SYNC_CONTINUE_AS_NEW_AFTER_PAGES'>,
  tenant: { tenantId: string; tenantSlug: string },
  connector: SyncConnector,
  request: { mode: SyncMode; streams: string[] | null; trigger: SyncTrigger; requestedBy: string },
) {
  const input: Omit<ConnectorSyncInput, 'jobId'> = {
    tenantId: tenant.tenantId,
    tenantSlug: tenant.tenantSlug,
    kind: 'sync',
    params: { connectorId: connector.id, mode: request.mode, streams: request.streams },
    requestedBy: request.requestedBy,
    trigger: request.trigger,
    options: { maxParallelStreams: config.SYNC_MAX_PARALLEL_STREAMS, continueAsNewAfterPages: config.SYNC_CONTINUE_AS_NEW_AFTER_PAGES },
  };
  return {
    input,
    searchAttributes: { ConnectorType: connector.type, ConnectorId: connector.id },
    typedSearchAttributes: searchAttributePairs({
      TenantId: tenant.tenantId,
      TenantSlug: tenant.tenantSlug,
      JobKind: 'sync',
      ConnectorType: connector.type,
      ConnectorId: connector.id,
    }),
    memo: { connectorName: connector.name, connectorType: connector.type, streams: request.streams ?? 'all', mode: request.mode, trigger: request.trigger },
    summary: `${SUMMARY_OF_MODE[request.mode]} of ${connector.type} connector "${connector.name}"${request.streams ? ` (${request.streams.join(', ')})` : ''}`,
  };
}
