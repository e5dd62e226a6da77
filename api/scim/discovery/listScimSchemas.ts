import { schemaDocuments } from '../../../platform/scim/scimSchemaDocuments';
import { defineRoute } from '../../http/route';
import { scimBaseUrl } from '../scimContext';
import { listResponse, scimListSchema, scimResponse, scimResult } from '../scimHttp';

export const listScimSchemas = defineRoute({
  method: 'get',
  path: '/scim/v2/Schemas',
  auth: 'scim',
  summary: 'SCIM: the attributes the hub keeps for Users and Groups',
  tags: ['scim'],
  responses: { 200: scimResponse('A ListResponse of Schemas', scimListSchema) },
  async handler({ deps, req }) {
    const documents = schemaDocuments(scimBaseUrl(deps, req));
    return scimResult(200, listResponse(documents, documents.length, 1));
  },
});
