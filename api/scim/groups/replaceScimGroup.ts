import { readGroupInput } from '../../../platform/scim/scimGroupDocument';
import { defineRoute } from '../../http/route';
import { scimContext } from '../scimContext';
import { scimGroupBodySchema } from '../scimDocumentedBodies';
import { scimErrors } from '../scimError';
import { findScimGroup, membersOfGroups, toGroupResource, updateScimGroup } from '../scimGroupStore';
import { scimBodySchema, scimChange, scimErrorResponse, scimIdParams, scimResponse, scimResult } from '../scimHttp';

export const replaceScimGroup = defineRoute({
  method: 'put',
  path: '/scim/v2/Groups/:id',
  auth: 'scim',
  summary: 'SCIM: replace a group’s name and members',
  tags: ['scim'],
  params: scimIdParams,
  body: scimBodySchema,
  documentedBody: scimGroupBodySchema,
  responses: {
    200: scimResponse('The Group'),
    400: scimErrorResponse('The body is not a Group the hub can keep, or a member is not a provisioned user (invalidValue)'),
    404: scimErrorResponse('No such group in this tenant'),
    409: scimErrorResponse('A group with this displayName exists (uniqueness)'),
  },
  async handler({ deps, principal, params, body, req }) {
    const context = scimContext(deps, principal, req);
    const resource = await scimChange(() =>
      deps.db.withTenant(principal.tenantId, async (trx) => {
        const current = await findScimGroup(trx, params.id, { forUpdate: true });
        if (!current) throw scimErrors.notFound('Group', params.id);
        await updateScimGroup(trx, context, current, readGroupInput(body));
        const members = await membersOfGroups(trx, [current.id]);
        return toGroupResource((await findScimGroup(trx, current.id))!, members.get(current.id) ?? [], context.baseUrl);
      }),
    );
    return scimResult(200, resource);
  },
});
