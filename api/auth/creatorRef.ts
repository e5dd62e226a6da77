import { type TenantPrincipal } from './principal';

/** What `created_by` columns record for the caller: `user:<id>` for a console session, `api_key:<id>` for a key. */
export function creatorRef(principal: TenantPrincipal): string {
  return principal.session ? `user:${principal.session.userId}` : `api_key:${principal.keyId}`;
}
