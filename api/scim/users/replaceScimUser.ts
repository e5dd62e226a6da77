import { readUserInput } from '../../../platform/scim/scimUserDocument';
import { defineRoute } from '../../http/route';
import { scimContext } from '../scimContext';
import { scimUserBodySchema } from '../scimDocumentedBodies';
import { scimErrors } from '../scimError';
import { scimBodySchema, scimChange, scimErrorResponse, scimIdParams, scimResponse, scimResult } from '../scimHttp';
import { findScimUser, groupsOfUsers, toUserResource, updateScimUser } from '../scimUserStore';

export const replaceScimUser = defineRoute({
  method: 'put',
  path: '/scim/v2/Users/:id',
  auth: 'scim',
  summary: 'SCIM: replace a user (attributes left out are cleared; active false deactivates and ends the console sessions)',
  tags: ['scim'],
  params: scimIdParams,
  body: scimBodySchema,
  documentedBody: scimUserBodySchema,
  responses: {
    200: scimResponse('The User'),
    400: scimErrorResponse('The body is not a User the hub can keep (invalidValue)'),
    404: scimErrorResponse('No such provisioned user in this tenant'),
    409: scimErrorResponse('The userName or e-mail is taken, or the user is the last active admin (uniqueness, mutability)'),
  },
  async handler({ deps, principal, params, body, req }) {
    const context = scimContext(deps, principal, req);
    const resource = await scimChange(() =>
      deps.db.withTenant(principal.tenantId, async (trx) => {
        const current = await findScimUser(trx, params.id, { forUpdate: true });
        if (!current) throw scimErrors.notFound('User', params.id);
        await updateScimUser(trx, context, current, readUserInput(body));
        const groups = await groupsOfUsers(trx, [current.user_id]);
        return toUserResource((await findScimUser(trx, current.user_id))!, groups.get(current.user_id) ?? [], context.baseUrl);
      }),
    );
    return scimResult(200, resource);
  },
});
