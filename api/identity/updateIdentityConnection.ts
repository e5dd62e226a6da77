import { z } from 'zod';
import { appendAudit } from '../../platform/audit';
import {
  findConnection,
  sealConnectionSecret,
  type IdentityConnectionRow,
  type OidcConnectionConfig,
  type SamlConnectionConfig,
} from '../../platform/identity/connections';
import { auditActor } from '../auth/auditActor';
import { networkPolicyFor } from '../connectors/connectorInput';
import { errors } from '../errors';
import { atLeastOneField } from '../http/patchSchema';
import { defineRoute } from '../http/route';
import { assertIdentityUrlAllowed, oidcFields, samlFields, samlMetadataFrom } from './identityConnectionInput';
import { connectionIdParams, identityConnectionSchema, toIdentityConnectionView } from './identityConnectionView';
import { nonBlankText } from '../http/textFields';

const OIDC_KEYS = ['issuer', 'clientId', 'clientSecret', 'scopes', 'groupsClaim'] as const;
const SAML_KEYS = ['idpMetadataUrl', 'idpMetadataXml', 'emailAttribute', 'groupsAttribute', 'allowIdpInitiated'] as const;

export const updateIdentityConnection = defineRoute({
  method: 'patch',
  path: '/v1/identity/connections/:id',
  auth: 'tenant',
  summary: "Change a connection's name, on/off switch or provider settings (its type stays); a new client secret replaces the old one",
  tags: ['identity'],
  params: connectionIdParams,
  body: atLeastOneField(
    z.strictObject({
      name: nonBlankText(200).optional(),
      enabled: z.boolean().optional(),
      issuer: oidcFields.issuer.optional(),
      clientId: oidcFields.clientId.optional(),
      clientSecret: oidcFields.clientSecret,
      scopes: oidcFields.scopes,
      groupsClaim: oidcFields.groupsClaim,
      idpMetadataUrl: samlFields.idpMetadataUrl,
      idpMetadataXml: samlFields.idpMetadataXml,
      emailAttribute: samlFields.emailAttribute,
      groupsAttribute: samlFields.groupsAttribute,
      allowIdpInitiated: samlFields.allowIdpInitiated,
    }),
    'send at least one field to change',
  ),
  responses: {
    200: { description: 'The connection', schema: z.object({ connection: identityConnectionSchema }) },
    400: { description: 'A field of the other type (FIELD_NOT_FOR_TYPE), a refused URL (URL_NOT_ALLOWED), or unusable metadata (METADATA_INVALID)' },
    404: { description: 'No such connection' },
  },
  async handler({ deps, principal, params, body, req }) {
    const current = await deps.db.withTenant(principal.tenantId, (trx) => findConnection(trx, params.id));
    if (!current) throw errors.notFound('Connection');
    const foreign = (current.type === 'oidc' ? SAML_KEYS : OIDC_KEYS).filter((key) => body[key] !== undefined);
    if (foreign.length > 0) {
      throw errors.badRequest(
        'FIELD_NOT_FOR_TYPE',
        `${foreign.join(', ')} ${foreign.length === 1 ? 'does' : 'do'} not apply to ${current.type === 'oidc' ? 'an OIDC' : 'a SAML'} connection`,
        foreign.map((key) => ({ path: `body.${key}`, message: `not a field of ${current.type === 'oidc' ? 'an OIDC' : 'a SAML'} connection` })),
      );
    }
    const policy = await networkPolicyFor(deps, principal.tenantId);
    let config: IdentityConnectionRow['config'];
    if (current.type === 'oidc') {
      const old = current.config as OidcConnectionConfig;
      if (body.issuer) await assertIdentityUrlAllowed(body.issuer, policy, 'body.issuer');
      const groupsClaim = body.groupsClaim === undefined ? old.groupsClaim : (body.groupsClaim ?? undefined);
      config = {
        issuer: body.issuer ?? old.issuer,
        clientId: body.clientId ?? old.clientId,
        scopes: body.scopes ?? old.scopes,
        ...(groupsClaim ? { groupsClaim } : {}),
      };
    } else {
      const old = current.config as SamlConnectionConfig;
      const metadataChanged = body.idpMetadataUrl !== undefined || body.idpMetadataXml !== undefined;
      const pick = (value: string | null | undefined, previous: string | undefined) => (value === undefined ? previous : (value ?? undefined));
      const emailAttribute = pick(body.emailAttribute, old.emailAttribute);
      const groupsAttribute = pick(body.groupsAttribute, old.groupsAttribute);
      const idpMetadataUrl = body.idpMetadataXml !== undefined && body.idpMetadataUrl === undefined ? undefined : (body.idpMetadataUrl ?? old.idpMetadataUrl);
      config = {
        idpMetadataXml: metadataChanged
          ? await samlMetadataFrom({ idpMetadataUrl: body.idpMetadataUrl, idpMetadataXml: body.idpMetadataXml }, policy)
          : old.idpMetadataXml,
        ...(idpMetadataUrl ? { idpMetadataUrl } : {}),
        ...(emailAttribute ? { emailAttribute } : {}),
        ...(groupsAttribute ? { groupsAttribute } : {}),
        allowIdpInitiated: body.allowIdpInitiated ?? old.allowIdpInitiated,
      };
    }
    const { row, slug } = await deps.db.withTenant(principal.tenantId, async (trx) => {
      const sealed = body.clientSecret ? await sealConnectionSecret(trx, deps.vault, principal.tenantId, current.id, body.clientSecret) : undefined;
      const [updated] = await trx<IdentityConnectionRow>('identity_connections')
        .where({ id: current.id })
        .update({
          ...(body.name !== undefined ? { name: body.name } : {}),
          ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
          config: JSON.stringify(config) as never,
          ...(sealed ? { secret_ciphertext: sealed.ciphertext, secret_data_key_id: sealed.dataKeyId } : {}),
          updated_at: trx.fn.now() as never,
        })
        .returning('*');
      const changed = Object.keys(body).filter((key) => key !== 'clientSecret' && key !== 'idpMetadataXml');
      await appendAudit(trx, {
        tenantId: principal.tenantId,
        actor: auditActor(principal, req),
        action: 'identity.connection_updated',
        target: { type: 'identity_connection', id: current.id },
        details: { changed, clientSecretReplaced: !!sealed, metadataReplaced: body.idpMetadataXml !== undefined || body.idpMetadataUrl !== undefined },
      });
      const tenant = await trx('tenants').where({ id: principal.tenantId }).first<{ slug: string }>('slug');
      return { row: updated!, slug: tenant.slug };
    });
    return { status: 200, body: { connection: toIdentityConnectionView(row, { config: deps.config, req, tenantSlug: slug }) } };
  },
});
