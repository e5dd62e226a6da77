/**
 * A real OpenID Provider (`oidc-provider`) on 127.0.0.1 for the SSO tests, run as its own process
 * (the library is ESM-only with its own Koa stack). Configuration comes in OIDC_PEER_CONFIG
 * (clients and accounts); it prints `listening <issuer>` once it answers.
 *
 * Its development login page accepts any password for a known login; a grant is made at once, so
 * no consent page. `POST /__control/accounts` changes a person's claims (e.g. their groups);
 * `POST /__control/fault` makes the next token response carry a broken ID token: `wrong-signature`
 * (signed by a key not in the JWKS, same kid), `wrong-audience`, `wrong-issuer`, `expired`,
 * `bad-nonce`, `email-unverified`.
 */
import http from 'node:http';
import { type AddressInfo } from 'node:net';
import { decodeJwt, exportJWK, generateKeyPair, SignJWT, type JWTPayload } from 'jose';
import Provider from 'oidc-provider';

interface PeerConfig {
  clients: Array<{ client_id: string; client_secret?: string; redirect_uris: string[] }>;
  accounts: Record<string, Record<string, unknown>>;
}

type Fault = 'wrong-signature' | 'wrong-audience' | 'wrong-issuer' | 'expired' | 'bad-nonce' | 'email-unverified';

async function main(): Promise<void> {
  const peerConfig = JSON.parse(process.env.OIDC_PEER_CONFIG ?? '{"clients":[],"accounts":{}}') as PeerConfig;
  const accounts = new Map(Object.entries(peerConfig.accounts));
  const faults: Fault[] = [];
  const signing = await generateKeyPair('RS256', { extractable: true });
  const rogue = await generateKeyPair('RS256', { extractable: true });
  const kid = 'peer-signing-key';
  const privateJwk = { ...(await exportJWK(signing.privateKey)), kid, alg: 'RS256', use: 'sig' };

  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const provider = new Provider(issuer, {
    clients: peerConfig.clients.map((client) => ({
      ...client,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: client.client_secret ? 'client_secret_basic' : 'none',
    })),
    jwks: { keys: [privateJwk as never] },
    cookies: { keys: ['oidc-peer-cookie-key'] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'] },
    scopes: ['openid', 'email', 'profile', 'groups'],
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true } },
    async findAccount(_ctx, id) {
      const claims = accounts.get(id);
      if (!claims) return undefined;
      return { accountId: id, claims: async () => ({ sub: id, ...accounts.get(id) }) };
    },
    async loadExistingGrant(ctx) {
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client!.clientId, accountId: ctx.oidc.session!.accountId });
      grant.addOIDCScope('openid email profile groups');
      await grant.save();
      return grant;
    },
  });

  provider.use(async (ctx, next) => {
    await next();
    const body = ctx.body as { id_token?: string } | undefined;
    const fault = ctx.path === '/token' && body?.id_token ? faults.shift() : undefined;
    if (!fault || !body?.id_token) return;
    const claims: JWTPayload & Record<string, unknown> = { ...decodeJwt(body.id_token) };
    const now = Math.floor(Date.now() / 1000);
    if (fault === 'wrong-audience') claims.aud = 'some-other-client';
    if (fault === 'wrong-issuer') claims.iss = 'https://issuer.invalid';
    if (fault === 'expired') Object.assign(claims, { iat: now - 3600, exp: now - 1800 });
    if (fault === 'bad-nonce') claims.nonce = 'a-nonce-of-another-sign-in';
    if (fault === 'email-unverified') claims.email_verified = false;
    const key = fault === 'wrong-signature' ? rogue.privateKey : signing.privateKey;
    body.id_token = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid }).sign(key);
    ctx.body = body;
  });

  const callback = provider.callback();
  server.on('request', (req, res) => {
    if (!req.url?.startsWith('/__control/')) {
      void callback(req, res);
      return;
    }
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      if (req.url === '/__control/accounts') accounts.set(String(body.login), body.claims as Record<string, unknown>);
      else if (req.url === '/__control/fault') faults.push(body.fault as Fault);
      res.writeHead(204).end();
    });
  });
  process.stdout.write(`listening ${issuer}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error).stack ?? error)}\n`);
  process.exit(1);
});
