import { defineRoute } from '../../http/route';
import { scimContext } from '../scimContext';
import { scimErrors } from '../scimError';
import { scimChange, scimErrorResponse, scimIdParams } from '../scimHttp';
import { deleteScimUser as deprovisionUser, findScimUser } from '../scimUserStore';

export const deleteScimUser = defineRoute({
  method: 'delete',
  path: '/scim/v2/Users/:id',
  auth: 'scim',
  summary: 'SCIM: deprovision a user (the hub user is removed, freeing the seat)',
  tags: ['scim'],
  params: scimIdParams,
  responses: {
    204: { description: 'Removed' },
    404: scimErrorResponse('No such provisioned user in this tenant'),
    409: scimErrorResponse('The tenant’s last active admin (mutability)'),
  },
  async handler({ deps, principal, params, req }) {
    const context = scimContext(deps, principal, req);
    await scimChange(() =>
      deps.db.withTenant(principal.tenantId, async (trx) => {
        const current = await findScimUser(trx, params.id, { forUpdate: true });
        if (!current) throw scimErrors.notFound('User', params.id);
        await deprovisionUser(trx, context, current);
      }),
    );
    return { status: 204 };
  },
});
