import { ScimFilterError } from '../../../platform/scim/scimFilter';
import { filterToSql, type SqlFragment } from '../../../platform/scim/scimFilterSql';
import { defineRoute } from '../../http/route';
import { scimBaseUrl } from '../scimContext';
import { scimErrors } from '../scimError';
import { GROUP_FILTER_COLUMNS } from '../scimGroupFilter';
import { membersOfGroups, toGroupResource, type ScimGroupRow } from '../scimGroupStore';
import { listResponse, projectResource, readListWindow, scimErrorResponse, scimListQuery, scimListSchema, scimResponse, scimResult } from '../scimHttp';

export const listScimGroups = defineRoute({
  method: 'get',
  path: '/scim/v2/Groups',
  auth: 'scim',
  summary: 'SCIM: list or find groups (filter, startIndex, count)',
  tags: ['scim'],
  query: scimListQuery,
  responses: {
    200: scimResponse('A ListResponse of Groups', scimListSchema),
    400: scimErrorResponse('A filter the hub cannot read or does not support (invalidFilter)'),
  },
  async handler({ deps, principal, query, req }) {
    const window = readListWindow(query);
    let condition: SqlFragment = { sql: 'true', bindings: [] };
    try {
      if (window.filter) condition = filterToSql(window.filter, GROUP_FILTER_COLUMNS);
    } catch (error) {
      if (error instanceof ScimFilterError) throw scimErrors.invalidFilter(error.message);
      throw error;
    }
    const baseUrl = scimBaseUrl(deps, req);
    const withMembers = !/(^|,)\s*members\s*(,|$)/i.test(query.excludedAttributes ?? '');
    const { total, resources } = await deps.db.withTenant(principal.tenantId, async (trx) => {
      const [counted] = await trx('scim_groups as g').whereRaw(condition.sql, condition.bindings).count<{ count: string }[]>('* as count');
      const rows: ScimGroupRow[] =
        window.count === 0
          ? []
          : await trx('scim_groups as g')
              .whereRaw(condition.sql, condition.bindings)
              .orderBy([{ column: 'g.created_at' }, { column: 'g.id' }])
              .offset(window.startIndex - 1)
              .limit(window.count)
              .select('g.id', 'g.display_name', 'g.external_id', 'g.created_at', 'g.updated_at');
      // Entra ID lists groups with excludedAttributes=members: the members are not even read then.
      const members = withMembers
        ? await membersOfGroups(
            trx,
            rows.map((row) => row.id),
          )
        : new Map();
      return {
        total: Number(counted?.count ?? 0),
        resources: rows.map((row) => projectResource(toGroupResource(row, members.get(row.id) ?? [], baseUrl), query)),
      };
    });
    return scimResult(200, listResponse(resources, total, window.startIndex));
  },
});
