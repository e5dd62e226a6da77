import { type RequestHandler } from 'express';
import { parseScimToken } from '../../platform/scim/scimTokens';
import { type ApiDeps } from '../deps';
import { bearerToken } from './admitScimRequest';

/** Days of requests kept in a tenant's SCIM request log (older rows go as new ones arrive). */
const REQUEST_LOG_DAYS = 30;

/**
 * Writes every /scim/v2 request whose bearer token names a tenant to that tenant's request log
 * when the answer is sent: time, method, path with query, status — never a body or a header. A
 * wrong or revoked token of the tenant and paths no route serves are logged too: an admin reading
 * the console's log sees an identity provider holding a stale token or a wrong base URL.
 */
export function scimRequestLog(deps: Pick<ApiDeps, 'db' | 'logger'>): RequestHandler {
  return (req, res, next) => {
    const presented = bearerToken(req);
    const tenantId = presented ? parseScimToken(presented)?.tenantId : undefined;
    if (tenantId) {
      const method = req.method;
      const path = req.originalUrl.slice(0, 1000);
      const requestId = String(req.id ?? '') || null;
      res.once('finish', () => {
        deps.db
          .withTenant(tenantId, async (trx) => {
            await trx('scim_requests').insert({ tenant_id: tenantId, method, path, status: res.statusCode, request_id: requestId });
            await trx('scim_requests')
              .where('occurred_at', '<', trx.raw(`now() - make_interval(days => ?)`, [REQUEST_LOG_DAYS]))
              .del();
          })
          // A token naming no tenant (the foreign key refuses the row) or a database outage: nothing to log.
          .catch((error: unknown) => deps.logger.debug({ err: error, tenantId }, 'SCIM request not logged'));
      });
    }
    next();
  };
}
