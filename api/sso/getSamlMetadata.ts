import { z } from 'zod';
import { findConnection, tenantOfConnection } from '../../platform/identity/connections';
import { serviceProviderMetadata } from '../../platform/identity/samlServiceProvider';
import { errors } from '../errors';
import { defineRoute, RESPONDED } from '../http/route';
import { publicBaseUrl, samlAcsUrl, samlEntityId } from './ssoUrls';

export const getSamlMetadata = defineRoute({
  method: 'get',
  path: '/v1/auth/sso/saml/:connectionId/metadata',
  auth: 'public',
  summary: "The SAML service provider metadata of a connection (entity id, ACS, NameID format), for the identity provider's setup",
  tags: ['sso'],
  params: z.strictObject({ connectionId: z.uuid() }),
  responses: { 200: { description: 'SP metadata XML', contentType: 'application/samlmetadata+xml' }, 404: { description: 'No such SAML connection' } },
  async handler({ deps, req, res, params }) {
    const tenantId = await tenantOfConnection(deps.db, params.connectionId);
    const connection = tenantId ? await deps.db.withTenant(tenantId, (trx) => findConnection(trx, params.connectionId)) : undefined;
    if (!connection || connection.type !== 'saml') throw errors.notFound('SAML connection');
    const base = publicBaseUrl(deps.config, req);
    const xml = serviceProviderMetadata({ entityId: samlEntityId(base, connection.id), acsUrl: samlAcsUrl(base, connection.id) });
    res.status(200).type('application/samlmetadata+xml').send(xml);
    return RESPONDED;
  },
});
