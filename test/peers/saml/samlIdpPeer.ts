import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { type AddressInfo } from 'node:net';
import path from 'node:path';
import { inflateRawSync } from 'node:zlib';
import { samlify } from '../../../platform/identity/samlify';

const read = (name: string) => fs.readFileSync(path.join(__dirname, name), 'utf8');
/** The IdP's test key pair (self-signed, for tests only) and a rogue pair the hub does not know. */
const IDP_KEY = read('testIdpKey.pem');
const IDP_CERT = read('testIdpCert.pem');
const ROGUE_KEY = read('rogueKey.pem');
const ROGUE_CERT = read('rogueCert.pem');

const escape = (text: string) => text.replace(/[&<>"]/g, (character) => `&#${character.charCodeAt(0)};`);

/** How one response is made: who signed in, and what an attack changes. */
export interface SamlResponseOptions {
  acsUrl: string;
  audience: string;
  inResponseTo?: string;
  email: string;
  groups?: string[];
  /** Which element carries the signature: the assertion (default), the whole response, both, or none. */
  sign?: 'assertion' | 'response' | 'both' | 'none';
  /** Sign with a key that is not in the IdP metadata. */
  rogueKey?: boolean;
  destination?: string;
  recipient?: string;
  assertionId?: string;
  /** Minutes from now the assertion stops being valid (negative: already expired). */
  validForMinutes?: number;
  issuer?: string;
}

/** A SAML identity provider on 127.0.0.1 built on samlify's signing, with a login page that posts to the hub's ACS. */
export interface SamlIdpPeer {
  url: string;
  entityId: string;
  metadataXml: string;
  /** The person the login page signs in next. */
  signInAs: { email: string; groups: string[] };
  /** The AuthnRequests received (id and ACS URL), latest last. */
  requests: Array<{ id: string; acsUrl: string; relayState: string }>;
  /** The XML of a response, unsigned or signed as asked (base64 for the HTTP-POST binding with `encode`). */
  responseXml(options: SamlResponseOptions): string;
  encode(xml: string): string;
  stop(): Promise<void>;
}

export async function startSamlIdpPeer(): Promise<SamlIdpPeer> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const entityId = `${url}/metadata`;
  const idp = samlify.IdentityProvider({
    entityID: entityId,
    signingCert: IDP_CERT,
    privateKey: IDP_KEY,
    wantAuthnRequestsSigned: false,
    singleSignOnService: [{ Binding: samlify.Constants.namespace.binding.redirect, Location: `${url}/sso` }],
  });
  const requests: SamlIdpPeer['requests'] = [];

  const responseXml = (options: SamlResponseOptions): string => {
    const now = new Date();
    const until = new Date(now.getTime() + (options.validForMinutes ?? 5) * 60_000).toISOString();
    const notBefore = new Date(Math.min(now.getTime(), Date.parse(until) - 60_000) - 60_000).toISOString();
    const issuer = escape(options.issuer ?? entityId);
    const inResponseTo = options.inResponseTo ? ` InResponseTo="${escape(options.inResponseTo)}"` : '';
    const groups = (options.groups ?? []).map((group) => `<saml:AttributeValue xsi:type="xs:string">${escape(group)}</saml:AttributeValue>`).join('');
    const attributes =
      `<saml:AttributeStatement><saml:Attribute Name="email"><saml:AttributeValue xsi:type="xs:string">${escape(options.email)}</saml:AttributeValue></saml:Attribute>` +
      (groups ? `<saml:Attribute Name="groups">${groups}</saml:Attribute>` : '') +
      `</saml:AttributeStatement>`;
    const assertion =
      `<saml:Assertion xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xs="http://www.w3.org/2001/XMLSchema" ID="${escape(options.assertionId ?? `_${randomUUID()}`)}" Version="2.0" IssueInstant="${now.toISOString()}">` +
      `<saml:Issuer>${issuer}</saml:Issuer>` +
      `<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">${escape(options.email)}</saml:NameID>` +
      `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="${until}" Recipient="${escape(options.recipient ?? options.acsUrl)}"${inResponseTo}/></saml:SubjectConfirmation></saml:Subject>` +
      `<saml:Conditions NotBefore="${notBefore}" NotOnOrAfter="${until}"><saml:AudienceRestriction><saml:Audience>${escape(options.audience)}</saml:Audience></saml:AudienceRestriction></saml:Conditions>` +
      `<saml:AuthnStatement AuthnInstant="${now.toISOString()}" SessionIndex="_${randomUUID()}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>` +
      attributes +
      `</saml:Assertion>`;
    let xml =
      `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_${randomUUID()}" Version="2.0" IssueInstant="${now.toISOString()}" Destination="${escape(options.destination ?? options.acsUrl)}"${inResponseTo}>` +
      `<saml:Issuer>${issuer}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>` +
      assertion +
      `</samlp:Response>`;
    const sign = options.sign ?? 'assertion';
    // samlify wants the certificate as the bare base64 of its DER (as metadata carries it).
    const bare = (pem: string) => pem.replace(/-----[^-]+-----|\s/g, '');
    const keys = options.rogueKey ? { privateKey: ROGUE_KEY, signingCert: bare(ROGUE_CERT) } : { privateKey: IDP_KEY, signingCert: bare(IDP_CERT) };
    const common = { ...keys, signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256', isBase64Output: false };
    if (sign === 'assertion' || sign === 'both') {
      xml = samlify.SamlLib.constructSAMLSignature({
        ...common,
        rawSamlMessage: xml,
        referenceTagXPath: "/*[local-name(.)='Response']/*[local-name(.)='Assertion']",
        signatureConfig: {
          prefix: 'ds',
          location: { reference: "/*[local-name(.)='Response']/*[local-name(.)='Assertion']/*[local-name(.)='Issuer']", action: 'after' },
        },
      });
    }
    if (sign === 'response' || sign === 'both') {
      xml = samlify.SamlLib.constructSAMLSignature({
        ...common,
        rawSamlMessage: xml,
        isMessageSigned: true,
        signatureConfig: { prefix: 'ds', location: { reference: "/*[local-name(.)='Response']/*[local-name(.)='Issuer']", action: 'after' } },
      });
    }
    return xml;
  };
  const encode = (xml: string) => Buffer.from(xml, 'utf8').toString('base64');
  const peer: SamlIdpPeer = {
    url,
    entityId,
    metadataXml: idp.getMetadata(),
    signInAs: { email: 'nobody@example.test', groups: [] },
    requests,
    responseXml,
    encode,
    stop: () => new Promise((resolve) => server.close(() => resolve())),
  };

  // The login page: the AuthnRequest's id and ACS come from the request itself; "Continue" posts the signed response.
  server.on('request', (req, res) => {
    const requestUrl = new URL(req.url ?? '/', url);
    if (requestUrl.pathname === '/metadata') {
      res.writeHead(200, { 'Content-Type': 'application/samlmetadata+xml' }).end(peer.metadataXml);
      return;
    }
    if (requestUrl.pathname !== '/sso') {
      res.writeHead(404).end();
      return;
    }
    const authnRequest = inflateRawSync(Buffer.from(requestUrl.searchParams.get('SAMLRequest') ?? '', 'base64')).toString('utf8');
    const id = /\sID="([^"]+)"/.exec(authnRequest)?.[1] ?? '';
    const acsUrl = /AssertionConsumerServiceURL="([^"]+)"/.exec(authnRequest)?.[1] ?? '';
    const audience = /<saml:Issuer[^>]*>([^<]+)<\/saml:Issuer>/.exec(authnRequest)?.[1] ?? '';
    const relayState = requestUrl.searchParams.get('RelayState') ?? '';
    requests.push({ id, acsUrl, relayState });
    const response = encode(responseXml({ acsUrl, audience, inResponseTo: id, email: peer.signInAs.email, groups: peer.signInAs.groups }));
    res
      .writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' })
      .end(
        `<!doctype html><html lang="en"><head><title>Test IdP</title></head><body><main><h1>Test identity provider</h1><p>Signing in ${escape(peer.signInAs.email)}</p>` +
          `<form method="post" action="${escape(acsUrl)}"><input type="hidden" name="SAMLResponse" value="${response}"><input type="hidden" name="RelayState" value="${escape(relayState)}"><button type="submit">Continue</button></form></main></body></html>`,
      );
  });
  return peer;
}
