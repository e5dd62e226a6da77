import { z } from 'zod';
import { errors } from '../errors';
import { defineRoute } from '../http/route';
import { API_KEY_COLUMNS, apiKeyDetailSchema, apiKeyIdParams, toApiKeyView, type ApiKeyRow } from './apiKeyView';

export const getApiKey = defineRoute({
  method: 'get',
  path: '/v1/api-keys/:id',
  auth: 'tenant',
  summary: 'One API key (never its secret or hash)',
  tags: ['api-keys'],
  params: apiKeyIdParams,
  responses: { 200: { description: 'The key', schema: z.object({ apiKey: apiKeyDetailSchema }) }, 404: { description: 'No such key in this tenant' } },
  async handler({ deps, principal, params }) {
    const [row] = await deps.db.readAsTenant<ApiKeyRow>(
      principal.tenantId,
      deps.db
        .knex('api_keys')
        .where({ id: params.id })
        .select(...API_KEY_COLUMNS),
    );
    if (!row) throw errors.notFound('API key');
    return { status: 200, body: { apiKey: toApiKeyView(row) } };
  },
});
