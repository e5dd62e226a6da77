import { createPrivateKey, type KeyObject, randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { AuthError, ConfigError, TransientError } from '../errors';
import { asConfigError } from '../network';
import { classifyTransportError } from '../transportErrors';
import { type ConnectorContext } from '../types';
import { tokenEndpointError } from './errors';
import { type FhirConfig, type FhirCredentials, FHIR_STREAMS, type SmartCredentials } from './schemas';
import { defaultScope } from './vendorPresets';

/** Refetch this long before the token expires. */
const EXPIRY_MARGIN_MS = 60_000;
/** SMART caps the assertion's lifetime at five minutes. */
const ASSERTION_LIFETIME_S = 290;

/** Supplies the bearer token of FHIR requests: static, or SMART Backend Services. */
export interface FhirTokenSource {
  readonly kind: 'static' | 'smart';
  token(): Promise<string>;
  /** Forgets a token the server refused; false when there is nothing to renew (static tokens). */
  invalidate(): boolean;
  tokenUrl?(): Promise<string>;
}

export function createTokenSource(context: ConnectorContext<FhirConfig, FhirCredentials>): FhirTokenSource {
  const credentials = context.credentials;
  if ('bearerToken' in credentials) {
    return { kind: 'static', token: async () => credentials.bearerToken, invalidate: () => false };
  }
  return new SmartBackendAuth(context, credentials);
}

/**
 * SMART Backend Services (client_credentials grant, RFC 7523 client assertion): a JWT signed with
 * the tenant's private key (RS384 for RSA keys, ES384 for EC P-384) with iss = sub = client id,
 * aud = token URL, a fresh jti and a five-minute expiry, exchanged for an access token that is cached
 * until shortly before it expires. The token URL comes from the credentials or from the server's
 * `.well-known/smart-configuration` (how Epic and Cerner publish it).
 */
class SmartBackendAuth implements FhirTokenSource {
  readonly kind = 'smart' as const;
  private readonly key: KeyObject;
  private readonly algorithm: 'RS384' | 'ES384';
  private cached: { token: string; refreshAt: number } | null = null;
  private pending: Promise<string> | null = null;
  private discovered: Promise<string> | null = null;

  constructor(
    private readonly context: ConnectorContext<FhirConfig, FhirCredentials>,
    private readonly credentials: SmartCredentials,
  ) {
    try {
      this.key = createPrivateKey(credentials.privateKeyPem);
    } catch (error) {
      throw new ConfigError(`fhir: privateKeyPem is not a readable private key (${(error as Error).message})`, 'BAD_PRIVATE_KEY');
    }
    const type = this.key.asymmetricKeyType;
    if (type === 'rsa') this.algorithm = 'RS384';
    else if (type === 'ec' && this.key.asymmetricKeyDetails?.namedCurve === 'secp384r1') this.algorithm = 'ES384';
    else throw new ConfigError('fhir: privateKeyPem must be an RSA key (RS384) or an EC P-384 key (ES384)', 'BAD_PRIVATE_KEY');
  }

  async token(): Promise<string> {
    if (this.cached && Date.now() < this.cached.refreshAt) return this.cached.token;
    this.pending ??= this.fetchToken().finally(() => {
      this.pending = null;
    });
    return this.pending;
  }

  invalidate(): boolean {
    this.cached = null;
    return true;
  }

  tokenUrl(): Promise<string> {
    if (this.credentials.tokenUrl) return Promise.resolve(this.credentials.tokenUrl);
    this.discovered ??= this.discover().catch((error: unknown) => {
      this.discovered = null;
      throw error;
    });
    return this.discovered;
  }

  private async discover(): Promise<string> {
    const url = `${this.context.config.baseUrl.replace(/\/+$/, '')}/.well-known/smart-configuration`;
    let response: Response;
    try {
      response = await this.context.network.fetch(url, {
        headers: { Accept: 'application/json' },
        signal: this.context.signal,
        timeoutMs: 30_000,
        maxResponseBytes: 1024 * 1024,
      });
    } catch (error) {
      throw classifyTransportError(error, 'fhir smart-configuration');
    }
    if (!response.ok) {
      if (response.status >= 500 || response.status === 429) throw new TransientError(`fhir smart-configuration: HTTP ${response.status}`, response.status);
      throw new ConfigError(`fhir smart-configuration: HTTP ${response.status} (set credentials.tokenUrl)`, response.status);
    }
    const document = (await response.json().catch(unlessTooLarge)) as { token_endpoint?: unknown };
    if (typeof document.token_endpoint !== 'string')
      throw new ConfigError('fhir smart-configuration has no token_endpoint (set credentials.tokenUrl)', 'NO_TOKEN_ENDPOINT');
    this.context.network.assertAllowedUrl(document.token_endpoint);
    return document.token_endpoint;
  }

  private async fetchToken(): Promise<string> {
    const tokenUrl = await this.tokenUrl();
    const assertion = await new SignJWT({})
      .setProtectedHeader({ alg: this.algorithm, typ: 'JWT', ...(this.credentials.keyId ? { kid: this.credentials.keyId } : {}) })
      .setIssuer(this.credentials.clientId)
      .setSubject(this.credentials.clientId)
      .setAudience(tokenUrl)
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + ASSERTION_LIFETIME_S)
      .sign(this.key);
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      scope: this.context.config.scope ?? defaultScope(FHIR_STREAMS),
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    });
    let response: Response;
    try {
      response = await this.context.network.fetch(tokenUrl, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
        body: form.toString(),
        signal: this.context.signal,
        timeoutMs: 30_000,
        maxResponseBytes: 1024 * 1024,
      });
    } catch (error) {
      throw classifyTransportError(error, 'fhir token endpoint');
    }
    const body = (await response.json().catch(unlessTooLarge)) as { access_token?: string; expires_in?: number; error?: string; error_description?: string };
    if (!response.ok) throw tokenEndpointError(response.status, body, response.headers.get('retry-after'));
    if (!body.access_token) throw new AuthError('fhir token endpoint answered without an access_token', 'NO_ACCESS_TOKEN');
    const lifetimeMs = (body.expires_in ?? 300) * 1000;
    this.cached = { token: body.access_token, refreshAt: Date.now() + Math.max(lifetimeMs / 2, lifetimeMs - EXPIRY_MARGIN_MS) };
    this.context.logger.debug({ connectorId: this.context.connectorId, expiresIn: body.expires_in }, 'fhir: SMART backend token obtained');
    return body.access_token;
  }
}

/** An unreadable JSON body reads as `{}`, but one past its size limit fails as such. */
function unlessTooLarge(error: unknown): Record<string, never> {
  const oversized = asConfigError(error);
  if (oversized !== error) throw oversized;
  return {};
}
