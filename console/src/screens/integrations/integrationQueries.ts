import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { isActiveRun } from './integrationTypes';

/** Query keys of the Integrations screens, so a change can refresh what it affects. */
export const integrationKeys = {
  types: ['connector-types'] as const,
  connectors: ['connectors'] as const,
  connector: (id: string) => ['connectors', id] as const,
  syncs: (id: string, limit: number) => ['connectors', id, 'syncs', limit] as const,
  schedule: (id: string) => ['connectors', id, 'schedule'] as const,
  records: (filter: object) => ['records', filter] as const,
};

/** The connector-type catalogue; it changes only with a release. */
export function useConnectorTypes() {
  return useQuery({ queryKey: integrationKeys.types, queryFn: () => unwrap(api.GET('/v1/connector-types')), staleTime: 5 * 60_000 });
}

/** A connector's latest runs, polled every second while the newest is queued or running (live per-stream progress). */
export function useSyncRuns(connectorId: string, limit: number) {
  return useQuery({
    queryKey: integrationKeys.syncs(connectorId, limit),
    queryFn: () => unwrap(api.GET('/v1/connectors/{id}/syncs', { params: { path: { id: connectorId }, query: { limit, page: 1 } } })),
    refetchInterval: (query) => (isActiveRun(query.state.data?.data[0]) ? 1_000 : false),
  });
}

/** A connector's schedule (null when it has none). */
export function useSchedule(connectorId: string) {
  return useQuery({
    queryKey: integrationKeys.schedule(connectorId),
    queryFn: async () => (await unwrap(api.GET('/v1/connectors/{id}/schedule', { params: { path: { id: connectorId } } }))).schedule,
  });
}
