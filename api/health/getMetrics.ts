import { renderMetrics } from '../../platform/metrics';
import { errorResponseSchema } from '../errors';
import { defineRoute, RESPONDED } from '../http/route';
import { isOperator } from './operatorAccess';

export const getMetrics = defineRoute({
  method: 'get',
  path: '/metrics',
  auth: 'public',
  summary: 'Prometheus metrics (text exposition format): for the platform admin token (Authorization: Bearer) or a client in API_OPERATOR_NETWORKS',
  tags: ['health'],
  responses: {
    200: { description: 'Prometheus text format', contentType: 'text/plain; version=0.0.4' },
    401: { description: 'Neither the platform admin token nor a client in API_OPERATOR_NETWORKS (UNAUTHENTICATED)', schema: errorResponseSchema },
    429: { description: 'Too many failed authentications from this address (RATE_LIMITED); see Retry-After', schema: errorResponseSchema },
  },
  async handler({ deps, req, res }) {
    await isOperator(deps, req, true);
    res.setHeader('Content-Type', deps.metrics.registry.contentType);
    res.status(200).send(await renderMetrics(deps.metrics));
    return RESPONDED;
  },
});
