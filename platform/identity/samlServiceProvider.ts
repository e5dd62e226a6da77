import { type IdentityConnectionRow, type SamlConnectionConfig } from './connections';
import { samlify as saml, samlSchemaValidator } from './samlify';

// Every response is schema-validated (samlify refuses to parse without a validator).
saml.setSchemaValidator(samlSchemaValidator);

const POST_BINDING = saml.Constants.namespace.binding.post;

/** The URLs that make the hub one SAML service provider per connection. */
export interface SamlSpUrls {
  entityId: string;
  acsUrl: string;
}

/** A SAML answer the hub refuses, with a stable code for the refusal page. */
export class SamlRefusal extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'SamlRefusal';
  }
}

function serviceProvider(urls: SamlSpUrls, clockSkewMs = 0) {
  return saml.ServiceProvider({
    entityID: urls.entityId,
    assertionConsumerService: [{ Binding: POST_BINDING, Location: urls.acsUrl }],
    authnRequestsSigned: false,
    wantAssertionsSigned: true,
    wantMessageSigned: false,
    nameIDFormat: ['urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress'],
    clockDrifts: [-clockSkewMs, clockSkewMs],
  });
}

function identityProvider(config: SamlConnectionConfig) {
  return saml.IdentityProvider({ metadata: config.idpMetadataXml, wantAuthnRequestsSigned: false });
}

/** Reads IdP metadata (uploaded or fetched): its entity id and single sign-on URL, or throws a readable error. */
export function describeIdpMetadata(xml: string): { entityId: string; ssoUrl: string } {
  let idp;
  try {
    idp = saml.IdentityProvider({ metadata: xml, wantAuthnRequestsSigned: false });
  } catch (error) {
    throw new SamlRefusal('METADATA_INVALID', `the IdP metadata could not be read: ${(error as Error).message}`);
  }
  const entityId = idp.entityMeta.getEntityID() as string | undefined;
  const sso = idp.entityMeta.getSingleSignOnService('redirect');
  if (!entityId) throw new SamlRefusal('METADATA_INVALID', 'the IdP metadata names no entityID');
  if (!sso || typeof sso !== 'string') throw new SamlRefusal('METADATA_INVALID', 'the IdP metadata has no SingleSignOnService with the HTTP-Redirect binding');
  const certificate = idp.entityMeta.getX509Certificate('signing');
  if (!certificate || (Array.isArray(certificate) && certificate.length === 0))
    throw new SamlRefusal('METADATA_INVALID', 'the IdP metadata has no signing certificate');
  return { entityId, ssoUrl: sso };
}

/** The SP metadata XML of a connection, for the IdP administrator. */
export function serviceProviderMetadata(urls: SamlSpUrls): string {
  return serviceProvider(urls).getMetadata();
}

/** A new AuthnRequest (HTTP-Redirect binding): its id, to match InResponseTo, and the URL to send the browser to. */
export function samlLoginRequestUrl(connection: IdentityConnectionRow, urls: SamlSpUrls): { id: string; url: string } {
  const request = serviceProvider(urls).createLoginRequest(identityProvider(connection.config as SamlConnectionConfig), 'redirect');
  return { id: request.id, url: request.context };
}

/** What a verified SAML response says. */
export interface VerifiedSamlResponse {
  assertionId: string;
  inResponseTo: string | undefined;
  nameId: string;
  attributes: Record<string, string | string[]>;
  /** When the assertion stops being usable: its id is kept until then (replay refusal). */
  expiresAt: Date;
}

const ELEMENT_COUNT = (xml: string, localName: string) => (xml.match(new RegExp(`<([A-Za-z_][\\w.-]*:)?${localName}[\\s>/]`, 'g')) ?? []).length;

/**
 * Verifies a SAMLResponse (base64, HTTP-POST binding) from the connection's IdP: schema, signature
 * of the response or of the assertion by the IdP's certificate (unsigned: refused), issuer,
 * NotBefore/NotOnOrAfter (with the clock skew), then what samlify leaves to the SP: exactly one
 * assertion and no encrypted or nested one (signature wrapping moves or duplicates assertions),
 * Audience = this SP, Destination and Recipient = this ACS, the subject confirmation still valid,
 * and an InResponseTo that agrees everywhere it appears.
 */
export async function verifySamlResponse(
  connection: IdentityConnectionRow,
  urls: SamlSpUrls,
  samlResponse: string,
  options: { clockSkewMs: number; now?: Date },
): Promise<VerifiedSamlResponse> {
  const xml = Buffer.from(samlResponse, 'base64').toString('utf8');
  if (ELEMENT_COUNT(xml, 'Assertion') !== 1) throw new SamlRefusal('SAML_ASSERTION_COUNT', 'the response must carry exactly one assertion');
  if (ELEMENT_COUNT(xml, 'EncryptedAssertion') > 0) throw new SamlRefusal('SAML_ENCRYPTED_ASSERTION', 'encrypted assertions are not accepted');
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new SamlRefusal('SAML_DOCTYPE', 'the response must not carry a DOCTYPE');
  const sp = serviceProvider(urls, options.clockSkewMs);
  const idp = identityProvider(connection.config as SamlConnectionConfig);
  let parsed: { samlContent: string; extract: Record<string, unknown> };
  try {
    parsed = await sp.parseLoginResponse(idp, 'post', { body: { SAMLResponse: samlResponse } });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new SamlRefusal(samlifyCode(message), `the SAML response was refused: ${message}`);
  }
  const extract = parsed.extract as {
    audience?: string | string[];
    response?: { id?: string; destination?: string; inResponseTo?: string };
    nameID?: string;
    attributes?: Record<string, string | string[]>;
    conditions?: { notOnOrAfter?: string };
  };
  // Read from the verified document: the one assertion, a direct child of the Response (checked above).
  const fields = saml.Extractor.extract(parsed.samlContent, [
    { key: 'assertion', localPath: ['Response', 'Assertion'], attributes: ['ID'] },
    {
      key: 'confirmation',
      localPath: ['Response', 'Assertion', 'Subject', 'SubjectConfirmation', 'SubjectConfirmationData'],
      attributes: ['Recipient', 'NotOnOrAfter', 'InResponseTo'],
    },
  ]) as { assertion?: string | { id?: string }; confirmation?: { recipient?: string; notOnOrAfter?: string; inResponseTo?: string } };
  const audiences = [extract.audience ?? []].flat();
  if (!audiences.includes(urls.entityId))
    throw new SamlRefusal('SAML_AUDIENCE', `the assertion's Audience (${audiences.join(', ') || 'none'}) is not this service provider`);
  if (extract.response?.destination !== urls.acsUrl)
    throw new SamlRefusal('SAML_DESTINATION', `the response's Destination (${extract.response?.destination ?? 'none'}) is not this ACS`);
  const confirmation = fields.confirmation ?? {};
  if (confirmation.recipient !== urls.acsUrl)
    throw new SamlRefusal('SAML_RECIPIENT', `the subject confirmation's Recipient (${confirmation.recipient ?? 'none'}) is not this ACS`);
  const now = (options.now ?? new Date()).getTime();
  const confirmationEnd = confirmation.notOnOrAfter ? Date.parse(confirmation.notOnOrAfter) : NaN;
  if (!Number.isFinite(confirmationEnd) || confirmationEnd + options.clockSkewMs <= now) {
    throw new SamlRefusal('SAML_EXPIRED', 'the subject confirmation has expired (NotOnOrAfter)');
  }
  const conditionsEnd = extract.conditions?.notOnOrAfter ? Date.parse(extract.conditions.notOnOrAfter) : NaN;
  if (!Number.isFinite(conditionsEnd)) throw new SamlRefusal('SAML_EXPIRED', 'the assertion has no Conditions NotOnOrAfter');
  const responseInResponseTo = extract.response?.inResponseTo || undefined;
  const confirmationInResponseTo = confirmation.inResponseTo || undefined;
  if (responseInResponseTo !== confirmationInResponseTo)
    throw new SamlRefusal('SAML_IN_RESPONSE_TO', 'InResponseTo differs between the response and the assertion');
  // samlify answers a lone attribute as the bare value.
  const assertionId = typeof fields.assertion === 'string' ? fields.assertion : fields.assertion?.id;
  if (!assertionId) throw new SamlRefusal('SAML_ASSERTION_ID', 'the assertion has no ID');
  if (!extract.nameID) throw new SamlRefusal('SAML_NAME_ID', 'the assertion has no NameID');
  return {
    assertionId,
    inResponseTo: confirmationInResponseTo,
    nameId: extract.nameID,
    attributes: extract.attributes ?? {},
    expiresAt: new Date(Math.max(confirmationEnd, conditionsEnd) + options.clockSkewMs),
  };
}

function samlifyCode(message: string): string {
  if (/WRAPPING/i.test(message)) return 'SAML_SIGNATURE_WRAPPING';
  if (/SIGNATURE|CERTIFICATE/i.test(message)) return 'SAML_SIGNATURE';
  if (/ISSUER/i.test(message)) return 'SAML_ISSUER';
  if (/SUBJECT_UNCONFIRMED|EXPIRED/i.test(message)) return 'SAML_EXPIRED';
  if (/XML|SCHEMA|VALIDAT/i.test(message)) return 'SAML_INVALID_XML';
  if (/STATUS/i.test(message)) return 'SAML_STATUS';
  return 'SAML_REFUSED';
}
