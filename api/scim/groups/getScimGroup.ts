import { defineRoute } from '../../http/route';
import { scimBaseUrl } from '../scimContext';
import { scimErrors } from '../scimError';
import { findScimGroup, membersOfGroups, toGroupResource } from '../scimGroupStore';
import { projectResource, scimErrorResponse, scimGetQuery, scimIdParams, scimResponse, scimResult } from '../scimHttp';

export const getScimGroup = defineRoute({
  method: 'get',
  path: '/scim/v2/Groups/:id',
  auth: 'scim',
  summary: 'SCIM: one group with its members',
  tags: ['scim'],
  params: scimIdParams,
  query: scimGetQuery,
  responses: { 200: scimResponse('The Group'), 404: scimErrorResponse('No such group in this tenant') },
  async handler({ deps, principal, params, query, req }) {
    const resource = await deps.db.withTenant(principal.tenantId, async (trx) => {
      const row = await findScimGroup(trx, params.id);
      if (!row) throw scimErrors.notFound('Group', params.id);
      const members = await membersOfGroups(trx, [row.id]);
      return toGroupResource(row, members.get(row.id) ?? [], scimBaseUrl(deps, req));
    });
    return scimResult(200, projectResource(resource, query));
  },
});
