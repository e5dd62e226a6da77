import express, { type Express } from 'express';
import { randomUUID } from 'node:crypto';
import { pinoHttp } from 'pino-http';
import swaggerUi from 'swagger-ui-express';
import { redactApiKeys } from '../platform/apiKeys';
import { type ApiDeps } from './deps';
import { errorHandler, notFoundHandler } from './errors';
import { mountRoutes } from './http/mountRoutes';
import { type AnyRoute } from './http/route';
import { buildOpenApiDocument } from './openapi';
import { routes as allRoutes } from './routes';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;


/**
 * Builds the Express app: request ids and logs, metrics, JSON body limit, the routes, and errors in
 * the API's shape. No listening, no connections: `api/main.ts` and the tests own those.
 */
export function createApp(deps: ApiDeps, routes: readonly AnyRoute[] = allRoutes): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.config.API_TRUST_PROXY);
  app.locals.openApiDocument = buildOpenApiDocument(routes, { version: '1.0.0', serverUrl: deps.config.PUBLIC_URL });

  app.use(
    pinoHttp({
      logger: deps.logger,
      genReqId: (req, res) => {
        const incoming = req.headers['x-request-id'];
        const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      // Small serializers: a request log line carries what ops need (never headers, so never
      // credentials; a key pasted into the URL is blanked), and building it stays cheap on the hot path.
      serializers: {
        req: (req: { id: unknown; method: string; url: string; raw?: { route?: unknown } }) => ({ id: req.id, method: req.method, url: redactApiKeys(req.url) }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      wrapSerializers: false,
      customProps: (req, res) => {
        const principal = (res as express.Response).locals?.principal;
        return { requestId: req.id, ...(principal?.kind === 'tenant' ? { tenantId: principal.tenantId, apiKeyId: principal.keyId } : {}) };
      },
      // 'silent' when the logger would drop the line anyway: pino-http then skips the completion
      // line (its child loggers per request are still built: ~11% of the API's CPU in
      // authenticatedList at LOG_LEVEL=warn — a lazy request logger would save that).
      customLogLevel: (_req, res, error) => {
        const level = error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info';
        return deps.logger.isLevelEnabled(level) ? level : 'silent';
      },
      autoLogging: { ignore: (req) => req.url === '/healthz' || req.url === '/metrics' },
    }),
  );

  app.use((req, res, next) => {
    const stop = deps.metrics.httpRequestDuration.startTimer();
    res.once('finish', () => {
      stop({ method: req.method, route: res.locals.routePath ?? 'unmatched', status: String(res.statusCode) });
    });
    next();
  });

  // Routes that read their body raw (signature checks over the exact bytes, uploads) must get it
  // unparsed: express.json skips their (static) paths.
  const rawBodyPaths = new Set(routes.filter((route) => route.rawBody).map((route) => route.path));
  const parseJson = express.json({ limit: deps.config.API_BODY_LIMIT, strict: true });
  app.use((req, res, next) => (rawBodyPaths.has(req.path) ? next() : parseJson(req, res, next)));
  app.use('/docs', swaggerUi.serve);
  app.use(mountRoutes(routes, deps));
  app.use(notFoundHandler());
  app.use(errorHandler(deps.logger));
  return app;
}
