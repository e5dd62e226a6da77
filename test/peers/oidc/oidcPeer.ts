import { exitOf, spawnEntry } from '../../support/processes';

/** A running OpenID Provider peer (its own process, see oidcPeerMain.ts). */
export interface OidcPeer {
  issuer: string;
  /** Sets a person's claims (email, email_verified, name, groups); their login is the key. */
  setAccount(login: string, claims: Record<string, unknown>): Promise<void>;
  /** The next token response carries an ID token broken this way. */
  injectFault(fault: 'wrong-signature' | 'wrong-audience' | 'wrong-issuer' | 'expired' | 'bad-nonce' | 'email-unverified'): Promise<void>;
  stop(): Promise<void>;
}

export interface OidcPeerOptions {
  clients: Array<{ client_id: string; client_secret?: string; redirect_uris: string[] }>;
  accounts?: Record<string, Record<string, unknown>>;
}

/** Starts the provider and waits until it prints its issuer. */
export async function startOidcPeer(options: OidcPeerOptions): Promise<OidcPeer> {
  const child = spawnEntry('test/peers/oidc/oidcPeerMain.ts', {
    ...process.env,
    NODE_ENV: 'test',
    OIDC_PEER_CONFIG: JSON.stringify({ clients: options.clients, accounts: options.accounts ?? {} }),
  });
  const issuer = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the OIDC peer did not start: ${child.output()}`)), 60_000);
    child.stdout!.on('data', () => {
      const match = /listening (http:\/\/\S+)/.exec(child.output());
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', () => {
      clearTimeout(timer);
      reject(new Error(`the OIDC peer exited: ${child.output()}`));
    });
  });
  const control = async (path: string, body: unknown) => {
    const response = await fetch(`${issuer}/__control/${path}`, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'Content-Type': 'application/json' },
    });
    if (response.status !== 204) throw new Error(`OIDC peer ${path}: ${response.status}`);
  };
  return {
    issuer,
    setAccount: (login, claims) => control('accounts', { login, claims }),
    injectFault: (fault) => control('fault', { fault }),
    async stop() {
      child.kill('SIGTERM');
      await exitOf(child);
    },
  };
}
