import { applyPatch } from '../../../platform/scim/scimPatch';
import { readUserInput, USER_PATCH_RESOURCE } from '../../../platform/scim/scimUserDocument';
import { defineRoute } from '../../http/route';
import { scimContext } from '../scimContext';
import { scimPatchBodySchema } from '../scimDocumentedBodies';
import { scimErrors } from '../scimError';
import { readPatchOperations, scimBodySchema, scimChange, scimErrorResponse, scimIdParams, scimResponse, scimResult } from '../scimHttp';
import { findScimUser, groupsOfUsers, toUserResource, updateScimUser } from '../scimUserStore';

export const patchScimUser = defineRoute({
  method: 'patch',
  path: '/scim/v2/Users/:id',
  auth: 'scim',
  summary: 'SCIM: change a user with PatchOp operations (add, replace, remove; as Okta and Entra ID send them)',
  tags: ['scim'],
  params: scimIdParams,
  body: scimBodySchema,
  documentedBody: scimPatchBodySchema,
  responses: {
    200: scimResponse('The User'),
    400: scimErrorResponse('An operation the hub cannot apply (invalidSyntax, invalidPath, noTarget, invalidValue)'),
    404: scimErrorResponse('No such provisioned user in this tenant'),
    409: scimErrorResponse('The userName or e-mail is taken, or the user is the last active admin (uniqueness, mutability)'),
  },
  async handler({ deps, principal, params, body, req }) {
    const context = scimContext(deps, principal, req);
    const operations = readPatchOperations(body);
    const resource = await scimChange(() =>
      deps.db.withTenant(principal.tenantId, async (trx) => {
        const current = await findScimUser(trx, params.id, { forUpdate: true });
        if (!current) throw scimErrors.notFound('User', params.id);
        const patched = applyPatch(USER_PATCH_RESOURCE, toUserResource(current, [], context.baseUrl), operations);
        await updateScimUser(trx, context, current, readUserInput(patched));
        const groups = await groupsOfUsers(trx, [current.user_id]);
        return toUserResource((await findScimUser(trx, current.user_id))!, groups.get(current.user_id) ?? [], context.baseUrl);
      }),
    );
    return scimResult(200, resource);
  },
});
