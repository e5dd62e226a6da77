import { defineRoute } from '../http/route';
import { pageOf, pageQuery, pagination } from '../http/pagination';
import { type ConnectorRow } from '../../platform/connectorStore';
import { resolveConnectorTypesAsTenant } from '../../connectors/connectorTypes';
import { connectorSchema, connectorViewColumns, toConnectorView } from './connectorView';

export const listConnectors = defineRoute({
  method: 'get',
  path: '/v1/connectors',
  auth: 'tenant',
  summary: "The tenant's connectors, newest first (never their credentials)",
  tags: ['connectors'],
  query: pageQuery,
  responses: { 200: { description: 'A page of connectors', schema: pageOf(connectorSchema) } },
  async handler({ deps, query, principal }) {
    const { rows, total } = await deps.db.withTenant(principal.tenantId, async (trx) => {
      const counted = (await trx('connectors').count({ count: '*' }).first()) as { count: string };
      const page = await trx<ConnectorRow>('connectors')
        .select(connectorViewColumns)
        .orderBy([{ column: 'created_at', order: 'desc' }, { column: 'id' }])
        .limit(query.limit)
        .offset((query.page - 1) * query.limit);
      return { rows: page as unknown as ConnectorRow[], total: Number(counted.count) };
    });
    await resolveConnectorTypesAsTenant(
      deps.db,
      principal.tenantId,
      rows.map((row) => row.type),
    );
    return { status: 200, body: { data: rows.map(toConnectorView), pagination: pagination(query.page, query.limit, total) } };
  },
});
