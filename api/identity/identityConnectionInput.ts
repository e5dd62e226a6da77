import { z } from 'zod';
import { assertAllowedUrl, createGuardedFetch, ForbiddenDestinationError, type NetworkPolicy } from '../../platform/network/guardedNetwork';
import { describeIdpMetadata, SamlRefusal } from '../../platform/identity/samlServiceProvider';
import { assertResolvesToAllowed } from '../connectors/connectorInput';
import { ApiError, errors } from '../errors';
import { nonBlankText } from '../http/textFields';

const claimName = nonBlankText(256);

/** The fields of an OIDC connection a request may set. */
export const oidcFields = {
  issuer: z.url().max(2000).describe('The issuer; its /.well-known/openid-configuration is read'),
  clientId: nonBlankText(512),
  clientSecret: z.string().min(1).max(4096).optional().describe('Stored sealed by the vault, never shown again; leave out for a public client (PKCE only)'),
  scopes: z
    .array(z.string().regex(/^[\x21\x23-\x5b\x5d-\x7e]+$/))
    .max(20)
    .optional()
    .describe('Default openid email profile'),
  groupsClaim: claimName.nullable().optional().describe('The ID-token claim listing groups (e.g. groups); roles follow it at each sign-in'),
};

/** The fields of a SAML connection a request may set (metadata by URL or uploaded XML). */
export const samlFields = {
  idpMetadataUrl: z.url().max(2000).optional().describe('Fetched now (through the SSRF guard) and kept; send again to refresh'),
  idpMetadataXml: z.string().min(50).max(200_000).optional().describe('The IdP metadata XML, uploaded'),
  emailAttribute: claimName.nullable().optional().describe('The attribute carrying the e-mail; default the NameID'),
  groupsAttribute: claimName.nullable().optional().describe('The attribute listing groups; roles follow it at each sign-in'),
  allowIdpInitiated: z.boolean().optional().describe('Accept responses no hub sign-in asked for (off by default)'),
};

/** The SSRF guard for a tenant-supplied URL: 400 URL_NOT_ALLOWED naming the field. */
export async function assertIdentityUrlAllowed(raw: string, policy: NetworkPolicy, path: string): Promise<void> {
  try {
    const url = assertAllowedUrl(raw, policy);
    await assertResolvesToAllowed(url.hostname, policy);
  } catch (error) {
    if (error instanceof ForbiddenDestinationError) throw new ApiError(400, 'URL_NOT_ALLOWED', `${path}: ${error.message}`, [{ path, message: error.message }]);
    throw error;
  }
}

/** The IdP metadata XML from an upload or its URL (fetched through the guard), checked readable. */
export async function samlMetadataFrom(input: { idpMetadataUrl?: string; idpMetadataXml?: string }, policy: NetworkPolicy): Promise<string> {
  let xml = input.idpMetadataXml;
  if (input.idpMetadataUrl) {
    await assertIdentityUrlAllowed(input.idpMetadataUrl, policy, 'body.idpMetadataUrl');
    try {
      const response = await createGuardedFetch(policy)(input.idpMetadataUrl, { maxResponseBytes: 1024 * 1024, timeoutMs: 15_000 });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      xml = await response.text();
    } catch (error) {
      if (error instanceof ForbiddenDestinationError) throw new ApiError(400, 'URL_NOT_ALLOWED', `body.idpMetadataUrl: ${error.message}`);
      throw errors.badRequest('METADATA_UNREACHABLE', `The IdP metadata could not be fetched: ${(error as Error).message}`, [
        { path: 'body.idpMetadataUrl', message: (error as Error).message },
      ]);
    }
  }
  if (!xml) throw errors.validation([{ path: 'body.idpMetadataXml', message: 'send idpMetadataUrl or idpMetadataXml' }]);
  try {
    describeIdpMetadata(xml);
  } catch (error) {
    const message = error instanceof SamlRefusal ? error.message : String(error);
    throw errors.badRequest('METADATA_INVALID', `The IdP metadata is not usable: ${message}`, [
      { path: input.idpMetadataUrl ? 'body.idpMetadataUrl' : 'body.idpMetadataXml', message },
    ]);
  }
  return xml;
}
