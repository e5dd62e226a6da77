import { type Request } from 'express';
import { inCidrs } from '../../platform/network/addressPolicy';
import { authenticateAdmin } from '../auth/authenticate';
import { type ApiDeps } from '../deps';

/**
 * Whether a caller of the health routes is an operator, who may see the hub's internals (every
 * /metrics series, which dependency /readyz finds down and why): a client in `API_OPERATOR_NETWORKS`
 * (the Prometheus scraper's network), or the platform admin (`Authorization: Bearer
 * <HUB_ADMIN_TOKEN>`). A wrong token answers 401 and counts against the address's budget of failed
 * authentications; without a token `required` decides: 401 (metrics) or false (readiness, which
 * then answers only ready or unavailable, for load balancers).
 */
export async function isOperator(deps: ApiDeps, req: Request, required: boolean): Promise<boolean> {
  if (inCidrs(req.ip ?? '', deps.config.API_OPERATOR_NETWORKS)) return true;
  if (!required && req.headers.authorization === undefined) return false;
  await deps.controlPlane.authFailures.authenticate(req, () => authenticateAdmin(deps.config.HUB_ADMIN_TOKEN, req));
  return true;
}
