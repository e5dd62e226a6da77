import { defineRoute } from '../../http/route';
import { ScimError } from '../scimError';
import { scimBodySchema, scimErrorResponse } from '../scimHttp';

export const searchScimResources = defineRoute({
  method: 'post',
  path: '/scim/v2/.search',
  auth: 'scim',
  summary: 'SCIM: searching all resource types at once is not supported (501); list /Users or /Groups with a filter',
  tags: ['scim'],
  body: scimBodySchema,
  responses: { 501: scimErrorResponse('Not supported') },
  async handler() {
    throw new ScimError(501, undefined, 'Searching several resource types at once is not supported; GET /Users or /Groups with a filter');
  },
});
