import { createHmac, createHash, randomBytes } from 'node:crypto';
import { type Response } from 'express';
import { type HubConfig } from '../../platform/config';

/** The HttpOnly cookie holding the operator session's secret; sent to the admin routes only. */
export const OPERATOR_COOKIE = 'hub_operator';
const COOKIE_PATH = '/v1/admin';

/** A new operator session secret and the SHA-256 the database keeps of it. */
export function newOperatorSecret(): { secret: string; hash: string } {
  const secret = randomBytes(32).toString('base64url');
  return { secret, hash: hashOperatorSecret(secret) };
}

export function hashOperatorSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/**
 * Which admin token a session was made with, without storing anything the token could be guessed
 * from: a session made with an earlier token stops working once the token is rotated.
 */
export function adminTokenFingerprint(adminToken: string): string {
  return createHmac('sha256', adminToken).update('hub-operator-session:v1').digest('hex');
}

/**
 * Sets the operator cookie: HttpOnly, SameSite=Strict (no cross-site request carries it, not even
 * a top-level navigation), Secure unless SESSION_COOKIE_SECURE=false on a plain-http localhost.
 */
export function setOperatorCookie(res: Response, config: Pick<HubConfig, 'SESSION_COOKIE_SECURE'>, secret: string, maxAgeSeconds: number): void {
  res.append(
    'Set-Cookie',
    `${OPERATOR_COOKIE}=${secret}; Path=${COOKIE_PATH}; Max-Age=${maxAgeSeconds}; SameSite=Strict; HttpOnly${config.SESSION_COOKIE_SECURE ? '; Secure' : ''}`,
  );
}

export function clearOperatorCookie(res: Response, config: Pick<HubConfig, 'SESSION_COOKIE_SECURE'>): void {
  res.append('Set-Cookie', `${OPERATOR_COOKIE}=; Path=${COOKIE_PATH}; Max-Age=0; SameSite=Strict; HttpOnly${config.SESSION_COOKIE_SECURE ? '; Secure' : ''}`);
}
