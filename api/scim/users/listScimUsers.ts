import { filterToSql, type SqlFragment } from '../../../platform/scim/scimFilterSql';
import { ScimFilterError } from '../../../platform/scim/scimFilter';
import { defineRoute } from '../../http/route';
import { scimBaseUrl } from '../scimContext';
import { scimErrors } from '../scimError';
import { listResponse, projectResource, readListWindow, scimErrorResponse, scimListQuery, scimListSchema, scimResponse, scimResult } from '../scimHttp';
import { USER_FILTER_COLUMNS } from '../scimUserFilter';
import { groupsOfUsers, SCIM_USER_COLUMNS, scimUsersQuery, toUserResource, type ScimUserRow } from '../scimUserStore';

export const listScimUsers = defineRoute({
  method: 'get',
  path: '/scim/v2/Users',
  auth: 'scim',
  summary: 'SCIM: list or find provisioned users (filter, startIndex, count)',
  tags: ['scim'],
  query: scimListQuery,
  responses: {
    200: scimResponse('A ListResponse of Users', scimListSchema),
    400: scimErrorResponse('A filter the hub cannot read or does not support (invalidFilter)'),
  },
  async handler({ deps, principal, query, req }) {
    const window = readListWindow(query);
    let condition: SqlFragment = { sql: 'true', bindings: [] };
    try {
      if (window.filter) condition = filterToSql(window.filter, USER_FILTER_COLUMNS);
    } catch (error) {
      if (error instanceof ScimFilterError) throw scimErrors.invalidFilter(error.message);
      throw error;
    }
    const baseUrl = scimBaseUrl(deps, req);
    const { total, resources } = await deps.db.withTenant(principal.tenantId, async (trx) => {
      const [counted] = await scimUsersQuery(trx).whereRaw(condition.sql, condition.bindings).count<{ count: string }[]>('* as count');
      const rows: ScimUserRow[] =
        window.count === 0
          ? []
          : await scimUsersQuery(trx)
              .whereRaw(condition.sql, condition.bindings)
              .orderBy([{ column: 'su.created_at' }, { column: 'su.user_id' }])
              .offset(window.startIndex - 1)
              .limit(window.count)
              .select(SCIM_USER_COLUMNS);
      const groups = await groupsOfUsers(
        trx,
        rows.map((row) => row.user_id),
      );
      return {
        total: Number(counted?.count ?? 0),
        resources: rows.map((row) => projectResource(toUserResource(row, groups.get(row.user_id) ?? [], baseUrl), query)),
      };
    });
    return scimResult(200, listResponse(resources, total, window.startIndex));
  },
});
