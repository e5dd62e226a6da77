import { type Response } from 'express';

/** Why an SSO sign-in was refused: a stable code for tests and logs, and a sentence for the person. */
export class SsoRefusal extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = 'SsoRefusal';
  }
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);

/**
 * Renders a plain page for the browser that came back from the identity provider: it cannot read a
 * JSON error, so it gets a sentence, the code, and a way back to the sign-in page. Nothing on the
 * page runs script.
 */
export function renderSsoPage(res: Response, page: { status: number; title: string; message: string; code?: string; details?: Array<[string, string]> }): void {
  const rows = (page.details ?? []).map(([name, value]) => `<tr><th scope="row">${escapeHtml(name)}</th><td>${escapeHtml(value)}</td></tr>`).join('');
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(page.title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#1a1b1e}code{background:#f1f3f5;padding:0 .25rem}th{text-align:left;padding-right:1rem}</style></head>
<body><main><h1>${escapeHtml(page.title)}</h1><p>${escapeHtml(page.message)}</p>${page.code ? `<p>Reason code: <code data-testid="sso-code">${escapeHtml(page.code)}</code></p>` : ''}${
    rows ? `<table aria-label="Claims received"><tbody>${rows}</tbody></table>` : ''
  }<p><a href="/console/sign-in">Back to sign-in</a></p></main></body></html>`;
  res
    .status(page.status)
    .set({
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'none'; frame-ancestors 'none'",
    })
    .send(html);
}

/** The refusal page for `error` (an SsoRefusal, or anything else as a generic failure). */
export function renderSsoRefusal(res: Response, error: unknown): void {
  const refusal = error instanceof SsoRefusal ? error : new SsoRefusal('SSO_FAILED', 'The sign-in could not be completed.', 500);
  renderSsoPage(res, { status: refusal.status, title: 'Sign-in refused', message: refusal.message, code: refusal.code });
}
