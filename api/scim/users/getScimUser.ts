import { defineRoute } from '../../http/route';
import { scimBaseUrl } from '../scimContext';
import { scimErrors } from '../scimError';
import { projectResource, scimErrorResponse, scimGetQuery, scimIdParams, scimResponse, scimResult } from '../scimHttp';
import { findScimUser, groupsOfUsers, toUserResource } from '../scimUserStore';

export const getScimUser = defineRoute({
  method: 'get',
  path: '/scim/v2/Users/:id',
  auth: 'scim',
  summary: 'SCIM: one provisioned user',
  tags: ['scim'],
  params: scimIdParams,
  query: scimGetQuery,
  responses: { 200: scimResponse('The User'), 404: scimErrorResponse('No such provisioned user in this tenant') },
  async handler({ deps, principal, params, query, req }) {
    const resource = await deps.db.withTenant(principal.tenantId, async (trx) => {
      const row = await findScimUser(trx, params.id);
      if (!row) throw scimErrors.notFound('User', params.id);
      const groups = await groupsOfUsers(trx, [row.user_id]);
      return toUserResource(row, groups.get(row.user_id) ?? [], scimBaseUrl(deps, req));
    });
    return scimResult(200, projectResource(resource, query));
  },
});
