import { errors } from '../errors';
import { defineRoute } from '../http/route';
import { pageOf, pageQuery, pagination } from '../http/pagination';
import { syncRunColumns, syncRunSchema, toSyncRunView, type SyncRunRow } from './syncRunView';
import { connectorIdParams } from '../connectors/connectorView';

export const listConnectorSyncs = defineRoute({
  method: 'get',
  path: '/v1/connectors/:id/syncs',
  auth: 'tenant',
  summary: "The connector's sync runs, newest first, with per-stream stats (read, inserted, updated, unchanged, deleted, pages, retries, duration, error)",
  tags: ['connectors'],
  params: connectorIdParams,
  query: pageQuery,
  responses: {
    200: { description: 'A page of runs', schema: pageOf(syncRunSchema) },
    404: { description: 'No such connector in this tenant' },
  },
  async handler({ deps, params, query, principal }) {
    const { knex } = deps.db;
    const [connectors, rows, counted] = await Promise.all([
      deps.db.readAsTenant(principal.tenantId, knex('connectors').select('id').where({ id: params.id })),
      deps.db.readAsTenant<SyncRunRow>(
        principal.tenantId,
        knex('sync_runs as r')
          .select([
            ...syncRunColumns,
            'j.run_id as job_run_id',
            knex.raw('(select json_agg(s order by s.stream) from sync_run_streams s where s.run_id = r.id) as streams_detail'),
          ])
          .leftJoin('jobs as j', 'j.id', 'r.id')
          .where('r.connector_id', params.id)
          .orderBy([{ column: 'r.created_at', order: 'desc' }, { column: 'r.id' }])
          .limit(query.limit)
          .offset((query.page - 1) * query.limit),
      ),
      deps.db.readAsTenant<{ count: string }>(principal.tenantId, knex('sync_runs').where({ connector_id: params.id }).count({ count: '*' })),
    ]);
    if (connectors.length === 0) throw errors.notFound('Connector');
    return {
      status: 200,
      body: { data: rows.map((row) => toSyncRunView(row, deps.config)), pagination: pagination(query.page, query.limit, Number(counted[0]?.count ?? 0)) },
    };
  },
});
