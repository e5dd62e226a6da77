import { createHmac, timingSafeEqual } from 'node:crypto';
import { type Request, type Response } from 'express';
import { type HubConfig } from '../../platform/config';

/** The HttpOnly cookie holding the session secret. */
export const SESSION_COOKIE = 'hub_session';
/** The readable cookie holding the CSRF token (double submit: sent back in {@link CSRF_HEADER}). */
export const CSRF_COOKIE = 'hub_csrf';
/** The header a cookie-authenticated mutation carries its CSRF token in. */
export const CSRF_HEADER = 'x-csrf-token';

/** The value of cookie `name` in the request's Cookie header. */
export function readCookie(req: Request, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const separator = part.indexOf('=');
    if (separator > 0 && part.slice(0, separator).trim() === name) return part.slice(separator + 1).trim();
  }
  return undefined;
}

/**
 * The CSRF token of a session: an HMAC of the session secret, so it is bound to the session, needs
 * no storage, and reveals nothing of the secret.
 */
export function csrfTokenFor(sessionSecret: string): string {
  return createHmac('sha256', sessionSecret).update('hub-csrf:v1').digest('base64url');
}

/** Whether the request's CSRF header matches the session's token (constant time). */
export function csrfTokenMatches(req: Request, sessionSecret: string): boolean {
  const presented = req.headers[CSRF_HEADER];
  if (typeof presented !== 'string') return false;
  const expected = Buffer.from(csrfTokenFor(sessionSecret));
  const given = Buffer.from(presented);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Sets both cookies for `maxAgeSeconds` (the session's absolute lifetime). */
export function setSessionCookies(res: Response, config: Pick<HubConfig, 'SESSION_COOKIE_SECURE'>, sessionSecret: string, maxAgeSeconds: number): void {
  const common = `Path=/; Max-Age=${maxAgeSeconds}; SameSite=Lax${config.SESSION_COOKIE_SECURE ? '; Secure' : ''}`;
  res.append('Set-Cookie', `${SESSION_COOKIE}=${sessionSecret}; ${common}; HttpOnly`);
  res.append('Set-Cookie', `${CSRF_COOKIE}=${csrfTokenFor(sessionSecret)}; ${common}`);
}

/** Expires both cookies in the browser. */
export function clearSessionCookies(res: Response, config: Pick<HubConfig, 'SESSION_COOKIE_SECURE'>): void {
  const common = `Path=/; Max-Age=0; SameSite=Lax${config.SESSION_COOKIE_SECURE ? '; Secure' : ''}`;
  res.append('Set-Cookie', `${SESSION_COOKIE}=; ${common}; HttpOnly`);
  res.append('Set-Cookie', `${CSRF_COOKIE}=; ${common}`);
}
