import { type Request } from 'express';
import { type HubConfig } from '../../platform/config';
import { ApiError } from '../errors';

/**
 * The hub's own base URL as identity providers see it: PUBLIC_URL. Outside production a hub without
 * it (a laptop, a test on a random port) uses the request's own origin; production refuses, because
 * the SAML audience and the OIDC redirect URI must never follow a Host header the caller chose.
 */
export function publicBaseUrl(config: Pick<HubConfig, 'PUBLIC_URL' | 'NODE_ENV'>, req: Request): string {
  if (config.PUBLIC_URL) return config.PUBLIC_URL.replace(/\/+$/, '');
  if (config.NODE_ENV === 'production')
    throw new ApiError(503, 'SSO_UNAVAILABLE', 'Single sign-on needs PUBLIC_URL, the address identity providers send people back to');
  return `${req.protocol}://${req.get('host')}`;
}

/** Where an OIDC provider sends the browser back (one for every connection: the state names the sign-in). */
export const oidcRedirectUri = (base: string) => `${base}/v1/auth/sso/oidc/callback`;
/** The SAML service provider's entity id of a connection (also where its metadata is served). */
export const samlEntityId = (base: string, connectionId: string) => `${base}/v1/auth/sso/saml/${connectionId}/metadata`;
/** The assertion consumer service of a connection (HTTP-POST binding). */
export const samlAcsUrl = (base: string, connectionId: string) => `${base}/v1/auth/sso/saml/${connectionId}/acs`;

/** The cookie binding a started OIDC sign-in to the browser that started it (login CSRF). */
export const SSO_STATE_COOKIE = 'hub_sso_state';

/** A console path to land on after sign-in: only a path under /console (never another origin). */
export function safeNextPath(next: string | undefined | null): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.includes('\\')) return '/console/';
  return next.startsWith('/console') ? next : `/console${next}`;
}
