import { type TestHub } from './hub';

/**
 * A minimal browser for SSO flows without a page: follows redirects by hand across the hub and the
 * identity provider (both on 127.0.0.1, so one cookie jar, as a browser shares cookies across ports
 * of one host) and submits the provider's login form.
 */
export class CookieBrowser {
  readonly cookies = new Map<string, string>();

  cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  private remember(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const separator = pair!.indexOf('=');
      const name = pair!.slice(0, separator).trim();
      const value = pair!.slice(separator + 1).trim();
      if (/max-age=0/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  /** One request, no redirect following. */
  async send(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Response> {
    const headers: Record<string, string> = { Cookie: this.cookieHeader() };
    let body: string | undefined;
    if (init.form) {
      body = new URLSearchParams(init.form).toString();
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
    }
    const response = await fetch(url, { method: init.method ?? (init.form ? 'POST' : 'GET'), headers, body, redirect: 'manual' });
    this.remember(response);
    return response;
  }

  /** Follows redirects from `url` until a non-redirect answer or a URL `stopAt` accepts; answers the last response and URL. */
  async follow(
    url: string,
    stopAt: (url: URL) => boolean = () => false,
    init: { method?: string; form?: Record<string, string> } = {},
  ): Promise<{ response: Response; url: string }> {
    let current = url;
    let response = await this.send(current, init);
    for (let hops = 0; hops < 20; hops += 1) {
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location) return { response, url: current };
      const next = new URL(location, current);
      if (stopAt(next)) return { response, url: next.toString() };
      current = next.toString();
      response = await this.send(current);
    }
    throw new Error(`too many redirects from ${url}`);
  }
}

/** Starts an SSO sign-in at the hub and signs in at the OIDC peer's login page; stops before the hub's callback and answers its URL. */
export async function oidcCallbackUrl(hub: TestHub, browser: CookieBrowser, startPath: string, login: string): Promise<string> {
  const atIdp = await browser.follow(`${hub.url}${startPath}`);
  if (atIdp.response.status !== 200)
    throw new Error(`expected the provider's login page, got ${atIdp.response.status} at ${atIdp.url}: ${await atIdp.response.text()}`);
  const html = await atIdp.response.text();
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
  if (!action) throw new Error(`no login form at ${atIdp.url}: ${html.slice(0, 500)}`);
  const callback = await browser.follow(new URL(action.replace(/&amp;/g, '&'), atIdp.url).toString(), (url) => url.pathname === '/v1/auth/sso/oidc/callback', {
    form: { prompt: 'login', login, password: 'any password' },
  });
  if (!callback.url.includes('/v1/auth/sso/oidc/callback'))
    throw new Error(`the provider did not send the browser back: ${callback.response.status} ${callback.url}`);
  return callback.url;
}
