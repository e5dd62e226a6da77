import { z } from 'zod';
import { errors } from '../errors';
import { defineRoute } from '../http/route';
import { connectionTestSchema, toConnectionTestView } from './connectionTestView';

export const getConnectionTest = defineRoute({
  method: 'get',
  path: '/v1/identity/connections/:id/tests/:testId',
  auth: 'tenant',
  summary: 'The outcome of a test sign-in: pending, or the claims received, or why it was refused',
  tags: ['identity'],
  params: z.strictObject({ id: z.uuid(), testId: z.uuid() }),
  responses: { 200: { description: 'The test', schema: z.object({ test: connectionTestSchema }) }, 404: { description: 'No such test' } },
  async handler({ deps, principal, params }) {
    const row = await deps.db.withTenant(principal.tenantId, (trx) =>
      trx('identity_login_states').where({ id: params.testId, connection_id: params.id, purpose: 'test' }).first('id', 'result', 'expires_at'),
    );
    if (!row) throw errors.notFound('Test');
    return { status: 200, headers: { 'Cache-Control': 'no-store' }, body: { test: toConnectionTestView(row) } };
  },
});
