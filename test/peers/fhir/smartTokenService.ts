import { createPublicKey, type KeyObject, randomBytes } from 'node:crypto';
import { decodeJwt, jwtVerify } from 'jose';

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** SMART Backend Services: the assertion's exp may be at most five minutes ahead. */
const MAX_ASSERTION_LIFETIME_S = 300;

export interface TokenOutcome {
  status: number;
  body: Record<string, unknown>;
}

/**
 * The authorization server side of SMART Backend Services (client_credentials with a signed JWT
 * client assertion, RS384 or ES384), as Epic and Cerner run it: the assertion is verified with jose
 * against the client's registered public key, `aud` must be this token endpoint, `iss` = `sub` =
 * client id, `jti` is single-use and `exp` at most five minutes away. Also accepts static tokens.
 */
export class SmartTokenService {
  private readonly clients = new Map<string, KeyObject>();
  private readonly tokens = new Map<string, number>();
  private readonly seenJti = new Set<string>();
  /** Token requests received (successful or not). */
  requests = 0;
  /** Assertions that passed verification. */
  readonly grants: Array<{ clientId: string; scope: string; alg: string }> = [];

  /** This endpoint's URL: the audience assertions must name (set once the server listens). */
  tokenUrl = '';

  constructor(private readonly tokenTtlSeconds: number) {}

  registerClient(clientId: string, publicKeyPem: string): void {
    this.clients.set(clientId, createPublicKey(publicKeyPem));
  }

  /** A long-lived bearer token, as some vendors issue for system integrations. */
  issueStaticToken(): string {
    const token = `fhir-static-${randomBytes(16).toString('base64url')}`;
    this.tokens.set(token, Number.MAX_SAFE_INTEGER);
    return token;
  }

  isValid(token: string | undefined): boolean {
    const expiresAt = token ? this.tokens.get(token) : undefined;
    return expiresAt !== undefined && expiresAt > Date.now();
  }

  /** Makes every issued token (static ones included) expired. */
  expireAll(): void {
    for (const token of this.tokens.keys()) this.tokens.set(token, 0);
  }

  async exchange(form: URLSearchParams): Promise<TokenOutcome> {
    this.requests += 1;
    const invalid = (description: string, error = 'invalid_client'): TokenOutcome => ({
      status: error === 'invalid_client' ? 401 : 400,
      body: { error, error_description: description },
    });
    if (form.get('grant_type') !== 'client_credentials') return invalid('grant_type must be client_credentials', 'unsupported_grant_type');
    if (form.get('client_assertion_type') !== ASSERTION_TYPE) return invalid('client_assertion_type must be jwt-bearer', 'invalid_request');
    const assertion = form.get('client_assertion') ?? '';
    let clientId: string;
    try {
      clientId = String(decodeJwt(assertion).iss ?? '');
    } catch {
      return invalid('client_assertion is not a JWT');
    }
    const key = this.clients.get(clientId);
    if (!key) return invalid(`unknown client ${clientId}`);
    try {
      const { payload, protectedHeader } = await jwtVerify(assertion, key, {
        issuer: clientId,
        subject: clientId,
        audience: this.tokenUrl,
        algorithms: ['RS384', 'ES384'],
        requiredClaims: ['exp', 'jti'],
      });
      if (payload.exp! - Math.floor(Date.now() / 1000) > MAX_ASSERTION_LIFETIME_S + 5) return invalid('exp is more than five minutes ahead');
      if (this.seenJti.has(payload.jti!)) return invalid('jti was already used');
      this.seenJti.add(payload.jti!);
      const scope = form.get('scope') ?? '';
      this.grants.push({ clientId, scope, alg: protectedHeader.alg });
      const token = `fhir-at-${randomBytes(18).toString('base64url')}`;
      this.tokens.set(token, Date.now() + this.tokenTtlSeconds * 1000);
      return { status: 200, body: { access_token: token, token_type: 'bearer', expires_in: this.tokenTtlSeconds, scope } };
    } catch (error) {
      return invalid(`client_assertion rejected: ${(error as Error).message}`);
    }
  }
}
