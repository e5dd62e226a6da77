import { resourceTypeDocuments } from '../../../platform/scim/scimSchemaDocuments';
import { defineRoute } from '../../http/route';
import { scimBaseUrl } from '../scimContext';
import { scimErrors } from '../scimError';
import { scimErrorResponse, scimIdParams, scimResponse, scimResult } from '../scimHttp';

export const getScimResourceType = defineRoute({
  method: 'get',
  path: '/scim/v2/ResourceTypes/:id',
  auth: 'scim',
  summary: 'SCIM: one resource type',
  tags: ['scim'],
  params: scimIdParams,
  responses: { 200: scimResponse('The ResourceType'), 404: scimErrorResponse('No such resource type') },
  async handler({ deps, params, req }) {
    const document = resourceTypeDocuments(scimBaseUrl(deps, req)).find((candidate) => candidate.id === params.id);
    if (!document) throw scimErrors.notFound('ResourceType', params.id);
    return scimResult(200, document);
  },
});
