import { readGroupInput } from '../../../platform/scim/scimGroupDocument';
import { defineRoute } from '../../http/route';
import { scimContext } from '../scimContext';
import { scimGroupBodySchema } from '../scimDocumentedBodies';
import { createScimGroup as provisionGroup, findScimGroup, membersOfGroups, toGroupResource } from '../scimGroupStore';
import { scimBodySchema, scimChange, scimErrorResponse, scimResponse, scimResult } from '../scimHttp';

export const createScimGroup = defineRoute({
  method: 'post',
  path: '/scim/v2/Groups',
  auth: 'scim',
  summary: 'SCIM: create a group (its members get the role the group maps to)',
  tags: ['scim'],
  body: scimBodySchema,
  documentedBody: scimGroupBodySchema,
  responses: {
    201: scimResponse('The Group'),
    400: scimErrorResponse('The body is not a Group the hub can keep, or a member is not a provisioned user (invalidValue)'),
    409: scimErrorResponse('A group with this displayName exists (uniqueness)'),
  },
  async handler({ deps, principal, body, req }) {
    const context = scimContext(deps, principal, req);
    const resource = await scimChange(() =>
      deps.db.withTenant(principal.tenantId, async (trx) => {
        const id = await provisionGroup(trx, context, readGroupInput(body));
        const members = await membersOfGroups(trx, [id]);
        return toGroupResource((await findScimGroup(trx, id))!, members.get(id) ?? [], context.baseUrl);
      }),
    );
    return scimResult(201, resource, { Location: String((resource.meta as { location: string }).location) });
  },
});
