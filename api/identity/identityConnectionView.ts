import { type Request } from 'express';
import { z } from 'zod';
import { type HubConfig } from '../../platform/config';
import { type IdentityConnectionRow, type OidcConnectionConfig, type SamlConnectionConfig } from '../../platform/identity/connections';
import { describeIdpMetadata } from '../../platform/identity/samlServiceProvider';
import { oidcRedirectUri, publicBaseUrl, samlAcsUrl, samlEntityId } from '../sso/ssoUrls';

export const identityConnectionSchema = z.object({
  id: z.uuid(),
  type: z.enum(['oidc', 'saml']),
  name: z.string(),
  enabled: z.boolean(),
  oidc: z
    .object({
      issuer: z.string(),
      clientId: z.string(),
      scopes: z.array(z.string()),
      groupsClaim: z.string().nullable(),
      hasClientSecret: z.boolean().describe('The secret itself is never shown again'),
    })
    .nullable(),
  saml: z
    .object({
      idpEntityId: z.string().nullable(),
      idpSsoUrl: z.string().nullable(),
      idpMetadataUrl: z.string().nullable(),
      emailAttribute: z.string().nullable(),
      groupsAttribute: z.string().nullable(),
      allowIdpInitiated: z.boolean(),
    })
    .nullable(),
  setup: z
    .object({
      redirectUri: z.string().optional().describe('OIDC: the redirect URI to register at the identity provider'),
      spEntityId: z.string().optional().describe('SAML: the SP entity id (Audience)'),
      acsUrl: z.string().optional().describe('SAML: the assertion consumer service URL (HTTP-POST)'),
      spMetadataUrl: z.string().optional().describe('SAML: the SP metadata to give the identity provider'),
      loginUrl: z.string().describe("A tenant login URL that starts this connection's sign-in"),
    })
    .describe('What to copy into the identity provider'),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type IdentityConnectionView = z.infer<typeof identityConnectionSchema>;

export const connectionIdParams = z.strictObject({ id: z.uuid() });

export function toIdentityConnectionView(row: IdentityConnectionRow, ctx: { config: HubConfig; req: Request; tenantSlug: string }): IdentityConnectionView {
  const base = publicBaseUrl(ctx.config, ctx.req);
  const loginUrl = `${base}/v1/auth/sso/start?tenant=${encodeURIComponent(ctx.tenantSlug)}&connection=${row.id}`;
  let saml: IdentityConnectionView['saml'] = null;
  if (row.type === 'saml') {
    const config = row.config as SamlConnectionConfig;
    let described: { entityId: string; ssoUrl: string } | undefined;
    try {
      described = describeIdpMetadata(config.idpMetadataXml);
    } catch {
      described = undefined;
    }
    saml = {
      idpEntityId: described?.entityId ?? null,
      idpSsoUrl: described?.ssoUrl ?? null,
      idpMetadataUrl: config.idpMetadataUrl ?? null,
      emailAttribute: config.emailAttribute ?? null,
      groupsAttribute: config.groupsAttribute ?? null,
      allowIdpInitiated: config.allowIdpInitiated,
    };
  }
  const oidcConfig = row.config as OidcConnectionConfig;
  return {
    id: row.id,
    type: row.type,
    name: row.name,
    enabled: row.enabled,
    oidc:
      row.type === 'oidc'
        ? {
            issuer: oidcConfig.issuer,
            clientId: oidcConfig.clientId,
            scopes: oidcConfig.scopes,
            groupsClaim: oidcConfig.groupsClaim ?? null,
            hasClientSecret: !!row.secret_ciphertext,
          }
        : null,
    saml,
    setup:
      row.type === 'oidc'
        ? { redirectUri: oidcRedirectUri(base), loginUrl }
        : { spEntityId: samlEntityId(base, row.id), acsUrl: samlAcsUrl(base, row.id), spMetadataUrl: samlEntityId(base, row.id), loginUrl },
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}
