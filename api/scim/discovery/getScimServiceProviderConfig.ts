import { serviceProviderConfigDocument } from '../../../platform/scim/scimSchemaDocuments';
import { defineRoute } from '../../http/route';
import { scimBaseUrl } from '../scimContext';
import { scimResponse, scimResult } from '../scimHttp';

export const getScimServiceProviderConfig = defineRoute({
  method: 'get',
  path: '/scim/v2/ServiceProviderConfig',
  auth: 'scim',
  summary: 'SCIM: the features the hub supports (PATCH and filter yes; bulk, sort, ETags and password changes no)',
  tags: ['scim'],
  responses: { 200: scimResponse('The ServiceProviderConfig') },
  async handler({ deps, req }) {
    const baseUrl = scimBaseUrl(deps, req);
    return scimResult(200, serviceProviderConfigDocument(baseUrl, `${baseUrl.replace(/\/scim\/v2$/, '')}/docs`));
  },
});
