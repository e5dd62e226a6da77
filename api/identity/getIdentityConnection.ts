import { z } from 'zod';
import { findConnection } from '../../platform/identity/connections';
import { errors } from '../errors';
import { defineRoute } from '../http/route';
import { connectionIdParams, identityConnectionSchema, toIdentityConnectionView } from './identityConnectionView';

export const getIdentityConnection = defineRoute({
  method: 'get',
  path: '/v1/identity/connections/:id',
  auth: 'tenant',
  summary: 'One identity provider connection (never its client secret)',
  tags: ['identity'],
  params: connectionIdParams,
  responses: { 200: { description: 'The connection', schema: z.object({ connection: identityConnectionSchema }) }, 404: { description: 'No such connection' } },
  async handler({ deps, principal, params, req }) {
    const found = await deps.db.withTenant(principal.tenantId, async (trx) => ({
      row: await findConnection(trx, params.id),
      slug: (await trx('tenants').where({ id: principal.tenantId }).first<{ slug: string }>('slug')).slug,
    }));
    if (!found.row) throw errors.notFound('Connection');
    return { status: 200, body: { connection: toIdentityConnectionView(found.row, { config: deps.config, req, tenantSlug: found.slug }) } };
  },
});
