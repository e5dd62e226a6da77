import { resourceTypeDocuments } from '../../../platform/scim/scimSchemaDocuments';
import { defineRoute } from '../../http/route';
import { scimBaseUrl } from '../scimContext';
import { listResponse, scimListSchema, scimResponse, scimResult } from '../scimHttp';

export const listScimResourceTypes = defineRoute({
  method: 'get',
  path: '/scim/v2/ResourceTypes',
  auth: 'scim',
  summary: 'SCIM: the resource types (User, Group)',
  tags: ['scim'],
  responses: { 200: scimResponse('A ListResponse of ResourceTypes', scimListSchema) },
  async handler({ deps, req }) {
    const documents = resourceTypeDocuments(scimBaseUrl(deps, req));
    return scimResult(200, listResponse(documents, documents.length, 1));
  },
});
