import { createRequire } from 'node:module';

/**
 * samlify, loaded without its type declarations: they pull in the DOM library's global types
 * (through @xmldom/xmldom), which would change `fetch`'s body types for the whole program. This is
 * the part of its API the hub (and the tests' IdP) uses.
 */
export interface SamlEntityMeta {
  getEntityID(): string;
  getSingleSignOnService(binding: string): string | Record<string, string> | undefined;
  getX509Certificate(use: 'signing' | 'encryption'): string | string[] | undefined;
  getAssertionConsumerService(binding: string): string;
}

export interface SamlServiceProvider {
  entityMeta: SamlEntityMeta;
  getMetadata(): string;
  createLoginRequest(idp: SamlIdentityProvider, binding: 'redirect' | 'post'): { id: string; context: string };
  parseLoginResponse(
    idp: SamlIdentityProvider,
    binding: 'post',
    request: { body: Record<string, string> },
  ): Promise<{ samlContent: string; extract: Record<string, unknown> }>;
}

export interface SamlIdentityProvider {
  entityMeta: SamlEntityMeta;
  getMetadata(): string;
  parseLoginRequest(
    sp: SamlServiceProvider,
    binding: 'redirect',
    request: { query: Record<string, string> },
  ): Promise<{ extract: { request: { id: string } } }>;
}

export interface ExtractorField {
  key: string;
  localPath: string[];
  attributes: string[];
  shortcut?: string;
}

export interface Samlify {
  ServiceProvider(settings: Record<string, unknown>): SamlServiceProvider;
  IdentityProvider(settings: Record<string, unknown>): SamlIdentityProvider;
  setSchemaValidator(validator: { validate(xml: string): Promise<unknown> }): void;
  Constants: { namespace: { binding: { post: string; redirect: string } } };
  Extractor: { extract(xml: string, fields: ExtractorField[]): Record<string, unknown> };
  SamlLib: {
    defaultLoginResponseTemplate: { context: string };
    replaceTagsByValue(template: string, values: Record<string, unknown>): string;
    constructSAMLSignature(options: Record<string, unknown>): string;
  };
}

const load = createRequire(__filename);
export const samlify = load('samlify') as Samlify;
/** libxml2 (compiled to WebAssembly) with the SAML schemas: samlify's schema check. */
export const samlSchemaValidator = load('@authenio/samlify-node-xmllint') as { validate(xml: string): Promise<unknown> };
