import { renderMetrics } from '../../platform/metrics';
import { defineRoute, RESPONDED } from '../http/route';

export const getMetrics = defineRoute({
  method: 'get',
  path: '/metrics',
  auth: 'public',
  summary: 'Prometheus metrics (text exposition format)',
  tags: ['health'],
  responses: { 200: { description: 'Prometheus text format', contentType: 'text/plain; version=0.0.4' } },
  async handler({ deps, res }) {
    res.setHeader('Content-Type', deps.metrics.registry.contentType);
    res.status(200).send(await renderMetrics(deps.metrics));
    return RESPONDED;
  },
});
