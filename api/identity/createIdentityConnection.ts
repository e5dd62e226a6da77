import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { appendAudit } from '../../platform/audit';
import { sealConnectionSecret, type IdentityConnectionRow } from '../../platform/identity/connections';
import { auditActor } from '../auth/auditActor';
import { networkPolicyFor } from '../connectors/connectorInput';
import { defineRoute } from '../http/route';
import { assertIdentityUrlAllowed, oidcFields, samlFields, samlMetadataFrom } from './identityConnectionInput';
import { identityConnectionSchema, toIdentityConnectionView } from './identityConnectionView';
import { nonBlankText } from '../http/textFields';

const common = { name: nonBlankText(200), enabled: z.boolean().optional() };

export const createIdentityConnection = defineRoute({
  method: 'post',
  path: '/v1/identity/connections',
  auth: 'tenant',
  summary: 'Add an OIDC or SAML identity provider connection (client secret sealed in the vault, never echoed)',
  tags: ['identity'],
  body: z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('oidc'), ...common, ...oidcFields }),
    z
      .strictObject({ type: z.literal('saml'), ...common, ...samlFields })
      .refine((body) => body.idpMetadataUrl !== undefined || body.idpMetadataXml !== undefined, {
        message: 'send idpMetadataUrl or idpMetadataXml',
        path: ['idpMetadataXml'],
      })
      .meta({ anyOf: [{ required: ['idpMetadataUrl'] }, { required: ['idpMetadataXml'] }] }),
  ]),
  responses: {
    201: { description: 'The connection, with what to copy into the identity provider', schema: z.object({ connection: identityConnectionSchema }) },
    400: {
      description: 'A URL the SSRF guard refuses (URL_NOT_ALLOWED), or IdP metadata that cannot be fetched or read (METADATA_UNREACHABLE, METADATA_INVALID)',
    },
  },
  async handler({ deps, principal, body, req }) {
    const policy = await networkPolicyFor(deps, principal.tenantId);
    const id = randomUUID();
    let config: IdentityConnectionRow['config'];
    if (body.type === 'oidc') {
      await assertIdentityUrlAllowed(body.issuer, policy, 'body.issuer');
      config = {
        issuer: body.issuer,
        clientId: body.clientId,
        scopes: body.scopes ?? ['openid', 'email', 'profile'],
        ...(body.groupsClaim ? { groupsClaim: body.groupsClaim } : {}),
      };
    } else {
      config = {
        idpMetadataXml: await samlMetadataFrom(body, policy),
        ...(body.idpMetadataUrl ? { idpMetadataUrl: body.idpMetadataUrl } : {}),
        ...(body.emailAttribute ? { emailAttribute: body.emailAttribute } : {}),
        ...(body.groupsAttribute ? { groupsAttribute: body.groupsAttribute } : {}),
        allowIdpInitiated: body.allowIdpInitiated ?? false,
      };
    }
    const { row, slug } = await deps.db.withTenant(principal.tenantId, async (trx) => {
      const sealed =
        body.type === 'oidc' && body.clientSecret ? await sealConnectionSecret(trx, deps.vault, principal.tenantId, id, body.clientSecret) : undefined;
      const [inserted] = await trx<IdentityConnectionRow>('identity_connections')
        .insert({
          id,
          tenant_id: principal.tenantId,
          type: body.type,
          name: body.name,
          enabled: body.enabled ?? true,
          config: JSON.stringify(config) as never,
          secret_ciphertext: sealed?.ciphertext ?? null,
          secret_data_key_id: sealed?.dataKeyId ?? null,
        })
        .returning('*');
      await appendAudit(trx, {
        tenantId: principal.tenantId,
        actor: auditActor(principal, req),
        action: 'identity.connection_created',
        target: { type: 'identity_connection', id },
        details: { type: body.type, name: body.name, hasClientSecret: !!sealed },
      });
      const tenant = await trx('tenants').where({ id: principal.tenantId }).first<{ slug: string }>('slug');
      return { row: inserted!, slug: tenant.slug };
    });
    return { status: 201, body: { connection: toIdentityConnectionView(row, { config: deps.config, req, tenantSlug: slug }) } };
  },
});
