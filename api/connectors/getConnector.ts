import { z } from 'zod';
import { errors } from '../errors';
import { defineRoute } from '../http/route';
import { type ConnectorRow } from '../../platform/connectorStore';
import { resolveConnectorTypesAsTenant } from '../../connectors/connectorTypes';
import { connectorIdParams, connectorSchema, connectorViewColumns, toConnectorView } from './connectorView';

export const getConnector = defineRoute({
  method: 'get',
  path: '/v1/connectors/:id',
  auth: 'tenant',
  summary: 'One connector (never its credentials)',
  tags: ['connectors'],
  params: connectorIdParams,
  responses: {
    200: { description: 'The connector', schema: z.object({ connector: connectorSchema }) },
    404: { description: 'No such connector in this tenant' },
  },
  async handler({ deps, params, principal }) {
    const [row] = await deps.db.readAsTenant<ConnectorRow>(
      principal.tenantId,
      deps.db.knex('connectors').select(connectorViewColumns).where({ id: params.id }),
    );
    if (!row) throw errors.notFound('Connector');
    await resolveConnectorTypesAsTenant(deps.db, principal.tenantId, [row.type]);
    return { status: 200, body: { connector: toConnectorView(row) } };
  },
});
