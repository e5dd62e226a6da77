import { defineRoute } from '../../http/route';
import { scimContext } from '../scimContext';
import { scimErrors } from '../scimError';
import { deleteScimGroup as removeGroup, findScimGroup } from '../scimGroupStore';
import { scimChange, scimErrorResponse, scimIdParams } from '../scimHttp';

export const deleteScimGroup = defineRoute({
  method: 'delete',
  path: '/scim/v2/Groups/:id',
  auth: 'scim',
  summary: 'SCIM: delete a group (its former members’ roles are decided again)',
  tags: ['scim'],
  params: scimIdParams,
  responses: { 204: { description: 'Removed' }, 404: scimErrorResponse('No such group in this tenant') },
  async handler({ deps, principal, params, req }) {
    const context = scimContext(deps, principal, req);
    await scimChange(() =>
      deps.db.withTenant(principal.tenantId, async (trx) => {
        const current = await findScimGroup(trx, params.id, { forUpdate: true });
        if (!current) throw scimErrors.notFound('Group', params.id);
        await removeGroup(trx, context, current);
      }),
    );
    return { status: 204 };
  },
});
