import http from 'node:http';
import { once } from 'node:events';
import { type AddressInfo } from 'node:net';
import { type HubMetrics } from '../metrics';

/**
 * The worker's Prometheus endpoint (`WORKER_METRICS_PORT`): `GET /metrics` with the worker's job,
 * sync and webhook series and the Temporal SDK worker metrics bridged into the same registry.
 * The API serves its own `/metrics`; scrape both. `GET /metrics.json` is the same as prom-client
 * JSON, which the API of `npm start` aggregates into its own /metrics.
 */
export async function serveWorkerMetrics(metrics: HubMetrics, port: number, host: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const pathname = (req.url ?? '').split('?')[0];
    if (req.method === 'GET' && pathname === '/metrics.json') {
      metrics.registry
        .getMetricsAsJSON()
        .then((series) => res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(series)))
        .catch(() => res.writeHead(500, { 'Content-Type': 'text/plain' }).end('metrics unavailable\n'));
      return;
    }
    if (req.method !== 'GET' || pathname !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
      return;
    }
    metrics.registry
      .metrics()
      .then((text) => res.writeHead(200, { 'Content-Type': metrics.registry.contentType }).end(text))
      .catch(() => res.writeHead(500, { 'Content-Type': 'text/plain' }).end('metrics unavailable\n'));
  });
  server.listen(port, host);
  await once(server, 'listening');
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${address.port}/metrics`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
