import { schemaDocuments } from '../../../platform/scim/scimSchemaDocuments';
import { defineRoute } from '../../http/route';
import { scimBaseUrl } from '../scimContext';
import { scimErrors } from '../scimError';
import { scimErrorResponse, scimIdParams, scimResponse, scimResult } from '../scimHttp';

export const getScimSchema = defineRoute({
  method: 'get',
  path: '/scim/v2/Schemas/:id',
  auth: 'scim',
  summary: 'SCIM: one schema, by its URN',
  tags: ['scim'],
  params: scimIdParams,
  responses: { 200: scimResponse('The Schema'), 404: scimErrorResponse('No such schema') },
  async handler({ deps, params, req }) {
    const document = schemaDocuments(scimBaseUrl(deps, req)).find((candidate) => candidate.id === params.id);
    if (!document) throw scimErrors.notFound('Schema', params.id);
    return scimResult(200, document);
  },
});
