import { readUserInput } from '../../../platform/scim/scimUserDocument';
import { defineRoute } from '../../http/route';
import { scimContext } from '../scimContext';
import { scimBodySchema, scimChange, scimErrorResponse, scimResponse, scimResult } from '../scimHttp';
import { scimUserBodySchema } from '../scimDocumentedBodies';
import { createScimUser as provisionUser, findScimUser, toUserResource } from '../scimUserStore';

export const createScimUser = defineRoute({
  method: 'post',
  path: '/scim/v2/Users',
  auth: 'scim',
  summary: 'SCIM: provision a user (a hub user, active unless active is false; an existing hub user with the e-mail is linked)',
  tags: ['scim'],
  body: scimBodySchema,
  documentedBody: scimUserBodySchema,
  responses: {
    201: scimResponse('The User'),
    400: scimErrorResponse('The body is not a User the hub can keep (invalidValue)'),
    409: scimErrorResponse('The userName or e-mail is already provisioned (uniqueness)'),
  },
  async handler({ deps, principal, body, req }) {
    const context = scimContext(deps, principal, req);
    const resource = await scimChange(() =>
      deps.db.withTenant(principal.tenantId, async (trx) => {
        const id = await provisionUser(trx, context, readUserInput(body));
        return toUserResource((await findScimUser(trx, id))!, [], context.baseUrl);
      }),
    );
    return scimResult(201, resource, { Location: String((resource.meta as { location: string }).location) });
  },
});
