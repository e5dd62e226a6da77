import type { ResponseBody } from '../../api/types';

/** A connector type of the catalogue (GET /v1/connector-types). */
export type ConnectorType = ResponseBody<'/v1/connector-types', 'get'>['data'][number];
/** A tenant's connector, never with its credentials. */
export type Connector = ResponseBody<'/v1/connectors/{id}', 'get'>['connector'];
/** One sync run with its per-stream counts. */
export type SyncRun = ResponseBody<'/v1/connectors/{id}/syncs', 'get'>['data'][number];
/** A connector's schedule, or null. */
export type SyncSchedule = ResponseBody<'/v1/connectors/{id}/schedule', 'get'>['schedule'];
/** One page of the record change feed. */
export type RecordsPage = ResponseBody<'/v1/records', 'get'>;
export type SyncedRecord = RecordsPage['data'][number];

/** A run still going: the screens poll it until it is not. */
export const isActiveRun = (run: Pick<SyncRun, 'status'> | undefined): boolean => run?.status === 'queued' || run?.status === 'running';
