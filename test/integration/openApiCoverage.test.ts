import { type Express } from 'express';
import { once } from 'node:events';
import { type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { createApp } from '../../api/app';
import { type ControlPlane } from '../../api/controlPlane';
import { openApiPath } from '../../api/docs/openapi';
import { routes } from '../../api/routes';
import { loadConfig } from '../../platform/config';
import { type Database } from '../../platform/db';
import { createLogger } from '../../platform/logger';
import { createMetrics } from '../../platform/metrics';

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Every `METHOD /path` the Express app actually routes, found by walking its router stacks. */
function expressRoutes(app: Express): string[] {
  const found: string[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const method of Object.keys(layer.route.methods).filter((name) => layer.route!.methods[name] && name !== '_all')) {
          found.push(`${method.toUpperCase()} ${openApiPath(layer.route.path)}`);
        }
      } else if (layer.handle?.stack) {
        walk(layer.handle.stack);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return found.sort();
}

describe('OpenAPI document ↔ Express routes', () => {
  let app: Express;
  let server: Server;
  let document: {
    paths: Record<string, Record<string, { requestBody?: unknown; parameters: Array<{ name: string; in: string }>; responses: Record<string, unknown> }>>;
  };

  beforeAll(async () => {
    // No I/O happens while building the app or serving /openapi.json: the other dependencies are never touched.
    app = createApp({
      config: loadConfig({ NODE_ENV: 'test' }),
      db: {} as Database,
      temporal: {} as never,
      logger: createLogger({ name: 'openapi-test', level: 'silent' }),
      metrics: createMetrics({ defaultMetrics: false }),
      controlPlane: {} as ControlPlane,
      files: {} as never,
      vault: {} as never,
    });
    server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/openapi.json`);
    document = (await response.json()) as typeof document;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('every Express route is in /openapi.json and every documented operation is an Express route', () => {
    const documented = Object.entries(document.paths)
      .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    const routed = expressRoutes(app);
    expect(routed.length).toBe(routes.length);
    expect(documented).toEqual(routed);
  });

  it('each operation carries the request and response schemas its zod definitions declare', () => {
    for (const route of routes) {
      const operation = document.paths[openApiPath(route.path)]![route.method]!;
      expect({ route: route.path, body: Boolean(operation.requestBody) }).toEqual({ route: route.path, body: Boolean(route.body || route.rawBody) });
      const pathParams = operation.parameters.filter((parameter) => parameter.in === 'path').map((parameter) => parameter.name);
      expect(pathParams.sort()).toEqual([...route.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((match) => match[1]).sort());
      for (const status of Object.keys(route.responses)) expect(operation.responses[status]).toBeDefined();
      if (route.auth !== 'public') expect(operation.responses['429']).toBeDefined();
    }
  });
});
