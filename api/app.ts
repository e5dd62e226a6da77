import express, { type Express } from 'express';
import swaggerUi from 'swagger-ui-express';
import { codecCors } from './codec/codecCors';
import { serveConsole } from './console/serveConsole';
import { type ApiDeps } from './deps';
import { errorHandler, notFoundHandler } from './errors';
import { mountRoutes } from './http/mountRoutes';
import { requestLogging } from './http/requestLogging';
import { type AnyRoute } from './http/route';
import { buildOpenApiDocument } from './docs/openapi';
import { routes as allRoutes } from './routes';
import { scimRequestLog } from './scim/scimRequestLog';

/**
 * Builds the Express app: request ids and logs, metrics, JSON body limit, the routes, and errors in
 * the API's shape. No listening, no connections: `api/main.ts` and the tests own those.
 */
export function createApp(deps: ApiDeps, routes: readonly AnyRoute[] = allRoutes): Express {
  const app = express();
  app.disable('x-powered-by');
  // No ETags: every response is computed per request (the body would be hashed only to tell a
  // client what it already has) and conditional requests are not part of the API's contract.
  app.set('etag', false);
  app.set('trust proxy', deps.config.API_TRUST_PROXY);
  app.locals.openApiDocument = buildOpenApiDocument(routes, { version: '1.0.0', serverUrl: deps.config.PUBLIC_URL });

  app.use(requestLogging(deps.logger));

  // Every answer: no MIME sniffing, never framed (clickjacking), no referrer to other sites.
  app.use((_req, res, next) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Content-Security-Policy', "frame-ancestors 'none'");
    res.setHeader('Referrer-Policy', 'no-referrer');
    next();
  });

  app.use((req, res, next) => {
    const stop = deps.metrics.httpRequestDuration.startTimer();
    res.once('finish', () => {
      stop({ method: req.method, route: res.locals.routePath ?? 'unmatched', status: String(res.statusCode) });
    });
    next();
  });

  // The Temporal UI calls the codec server from its own origin.
  app.use(codecCors(deps.config));

  // Routes that read their body raw (signature checks over the exact bytes, uploads) must get it
  // unparsed: express.json skips their (static) paths.
  const rawBodyPaths = new Set(routes.filter((route) => route.rawBody).map((route) => route.path));
  const parseJson = express.json({ limit: deps.config.API_BODY_LIMIT, strict: true });
  // Identity providers send SCIM bodies as application/scim+json (RFC 7644 §3.1), some as plain JSON.
  const parseScimJson = express.json({ limit: deps.config.API_BODY_LIMIT, strict: true, type: ['application/scim+json', 'application/json'] });
  app.use((req, res, next) => {
    if (rawBodyPaths.has(req.path)) next();
    else if (req.path.startsWith('/scim/')) parseScimJson(req, res, next);
    else parseJson(req, res, next);
  });
  app.use('/docs', swaggerUi.serve);
  app.use(serveConsole());
  app.use('/scim/', scimRequestLog(deps));
  app.use(mountRoutes(routes, deps));
  app.use(notFoundHandler());
  app.use(errorHandler(deps.logger));
  return app;
}
