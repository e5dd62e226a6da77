import { GROUP_PATCH_RESOURCE, readGroupInput } from '../../../platform/scim/scimGroupDocument';
import { applyPatch } from '../../../platform/scim/scimPatch';
import { defineRoute } from '../../http/route';
import { scimContext } from '../scimContext';
import { scimPatchBodySchema } from '../scimDocumentedBodies';
import { scimErrors } from '../scimError';
import { findScimGroup, membersOfGroups, toGroupResource, updateScimGroup } from '../scimGroupStore';
import { readPatchOperations, scimBodySchema, scimChange, scimErrorResponse, scimIdParams, scimResponse, scimResult } from '../scimHttp';

export const patchScimGroup = defineRoute({
  method: 'patch',
  path: '/scim/v2/Groups/:id',
  auth: 'scim',
  summary: 'SCIM: rename a group or add and remove members with PatchOp operations (as Okta and Entra ID send them)',
  tags: ['scim'],
  params: scimIdParams,
  body: scimBodySchema,
  documentedBody: scimPatchBodySchema,
  responses: {
    200: scimResponse('The Group'),
    400: scimErrorResponse(
      'An operation the hub cannot apply, or a member that is not a provisioned user (invalidSyntax, invalidPath, noTarget, invalidValue)',
    ),
    404: scimErrorResponse('No such group in this tenant'),
    409: scimErrorResponse('A group with this displayName exists (uniqueness)'),
  },
  async handler({ deps, principal, params, body, req }) {
    const context = scimContext(deps, principal, req);
    const operations = readPatchOperations(body);
    const resource = await scimChange(() =>
      deps.db.withTenant(principal.tenantId, async (trx) => {
        const current = await findScimGroup(trx, params.id, { forUpdate: true });
        if (!current) throw scimErrors.notFound('Group', params.id);
        const before = await membersOfGroups(trx, [current.id]);
        const patched = applyPatch(GROUP_PATCH_RESOURCE, toGroupResource(current, before.get(current.id) ?? [], context.baseUrl), operations);
        await updateScimGroup(trx, context, current, readGroupInput(patched));
        const members = await membersOfGroups(trx, [current.id]);
        return toGroupResource((await findScimGroup(trx, current.id))!, members.get(current.id) ?? [], context.baseUrl);
      }),
    );
    return scimResult(200, resource);
  },
});
