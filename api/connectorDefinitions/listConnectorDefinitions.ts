import { defineRoute } from '../http/route';
import { pageOf, pageQuery, pagination } from '../http/pagination';
import { connectorDefinitionViewSchema, toDefinitionView, type DefinitionRow, type DefinitionVersionRow } from './definitionView';

export const listConnectorDefinitions = defineRoute({
  method: 'get',
  path: '/v1/connector-definitions',
  auth: 'tenant',
  summary: "The tenant's connector definitions by name, each at its latest version (shipped definitions are connector types: GET /v1/connector-types)",
  tags: ['connector-definitions'],
  query: pageQuery,
  responses: { 200: { description: 'A page of definitions', schema: pageOf(connectorDefinitionViewSchema) } },
  async handler({ deps, query, principal }) {
    const { views, total } = await deps.db.withTenant(principal.tenantId, async (trx) => {
      const counted = (await trx('connector_definitions').count({ count: '*' }).first()) as { count: string };
      const rows = (await trx('connector_definitions')
        .orderBy([{ column: 'name' }])
        .limit(query.limit)
        .offset((query.page - 1) * query.limit)) as DefinitionRow[];
      const versions = rows.length
        ? ((await trx('connector_definition_versions')
            .whereIn(
              'definition_id',
              rows.map((row) => row.id),
            )
            .orderBy('version')) as DefinitionVersionRow[])
        : [];
      return {
        total: Number(counted.count),
        views: rows.map((row) => {
          const own = versions.filter((version) => version.definition_id === row.id);
          return toDefinitionView(
            row,
            own.find((version) => version.version === row.latest_version)!,
            own,
          );
        }),
      };
    });
    return { status: 200, body: { data: views, pagination: pagination(query.page, query.limit, total) } };
  },
});
