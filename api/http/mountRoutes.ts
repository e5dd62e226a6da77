import { Router, type NextFunction, type Request, type Response } from 'express';
import { type z } from 'zod';
import { withLogContext } from '../../platform/logContext';
import { accessTable } from '../auth/accessTable';
import { authenticateAdminRequest } from '../auth/authenticateAdminRequest';
import { type Principal } from '../auth/principal';
import { type ApiDeps } from '../deps';
import { errors, zodDetails } from '../errors';
import { RESPONDED, routeKey, type AnyRoute } from './route';
import { admitScimRequest } from '../scim/admitScimRequest';
import { admitTenantRequest } from './tenantGate';

declare module 'express-serve-static-core' {
  interface Locals {
    principal?: Principal;
    /** `GET /v1/users/:id`. */
    routeKey?: string;
    /** `/v1/users/:id`: the metrics label (never the raw URL, whose ids would explode cardinality). */
    routePath?: string;
  }
}

/**
 * Mounts route definitions on a router. For each request: authenticate (by the route's `auth`;
 * tenant requests pass {@link admitTenantRequest}: suspension, rate limit, quota, role, scopes,
 * metering), validate params, query and
 * body with the route's strict zod schemas, run the handler, and (outside production) check the
 * response against its declared schema so the OpenAPI document cannot drift from the code.
 *
 * Routes without parameters are also found by exact method and path in a map, before the router
 * walks its ~100 routes matching each pattern in turn (most of the API's traffic is on static
 * paths: `GET /v1/users`, `GET /v1/tenant`, …). A static path is left to the router when an earlier
 * route's pattern also matches it (the router's first match wins) or when it differs only in case
 * or a trailing slash (the router's loose matching); either way the same handler answers.
 */
export function mountRoutes(routes: readonly AnyRoute[], deps: ApiDeps): Router {
  const router = Router();
  const exactRoutes = new Map<string, (req: Request, res: Response) => Promise<void>>();
  // A static path names its own resource: `DELETE /v1/connector-definitions/schema` is a method the
  // schema does not have (405), never a delete of the definition whose id is "schema".
  const staticMethods = new Map<string, Set<string>>();
  for (const route of routes) {
    if (route.path.includes(':')) continue;
    const path = route.path.toLowerCase();
    const methods = staticMethods.get(path) ?? new Set<string>();
    methods.add(route.method.toUpperCase());
    if (route.method === 'get') methods.add('HEAD');
    staticMethods.set(path, methods);
  }
  router.use((req: Request, res: Response, next: NextFunction) => {
    const handle = exactRoutes.get(`${req.method} ${req.path}`);
    if (!handle) {
      const path = req.path.length > 1 ? req.path.replace(/\/+$/, '') : req.path;
      const allowed = staticMethods.get(path.toLowerCase());
      if (allowed && !allowed.has(req.method) && req.method !== 'OPTIONS') {
        next(errors.methodNotAllowed(req.method, [...allowed].sort().join(', ')));
        return;
      }
      next();
      return;
    }
    req.params = {};
    handle(req, res).catch(next);
  });
  for (const [index, route] of routes.entries()) {
    const key = routeKey(route);
    const requiredRole = accessTable[key];
    if (route.auth === 'tenant' && !requiredRole) throw new Error(`route ${key} has no entry in api/auth/accessTable.ts`);
    const handle = async (req: Request, res: Response): Promise<void> => {
      const startedAt = performance.now();
      res.locals.routeKey = key;
      res.locals.routePath = route.path;
      let principal: Principal | undefined;
      if (route.auth === 'admin') {
        principal = await deps.controlPlane.authFailures.authenticate(req, () => authenticateAdminRequest(deps, req));
      } else if (route.auth === 'tenant') {
        principal = await admitTenantRequest(route, req, res, deps, startedAt);
      } else if (route.auth === 'scim') {
        principal = await admitScimRequest(req, res, deps);
      }
      res.locals.principal = principal;

      const params = parse(route.params, req.params, 'params');
      const query = parse(route.query, req.query, 'query');
      const body = route.rawBody ? undefined : parse(route.body, req.body, 'body');

      // Lines the handler logs through deps.logger carry the request id and the tenant.
      const logContext = {
        requestId: String(req.id ?? ''),
        ...(principal?.kind === 'tenant' || principal?.kind === 'scim' ? { tenantId: principal.tenantId } : {}),
      };
      const result = await withLogContext(logContext, () => route.handler({ req, res, params, query, body, deps, principal: principal as never }));
      if (result === RESPONDED) return;
      if (deps.config.NODE_ENV !== 'production')
        assertDeclaredResponse(route, result.status, result.json === undefined ? result.body : JSON.parse(result.json));
      for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, value);
      if (result.json !== undefined) res.status(result.status).type('json').send(result.json);
      else if (result.body === undefined) res.status(result.status).end();
      else res.status(result.status).json(result.body);
    };
    router[route.method](route.path, handle);
    const shadowed = routes.slice(0, index).some((earlier) => earlier.method === route.method && patternMatches(earlier.path, route.path));
    if (!route.path.includes(':') && !shadowed) exactRoutes.set(`${route.method.toUpperCase()} ${route.path}`, handle);
  }
  // A path the API serves, asked with a method it does not declare: 405 with the methods it does.
  router.use((req: Request, res: Response, next: NextFunction) => {
    const path = req.path.length > 1 ? req.path.replace(/\/+$/, '') : req.path;
    const allowed = new Set(routes.filter((route) => patternMatches(route.path.toLowerCase(), path.toLowerCase())).map((route) => route.method.toUpperCase()));
    if (allowed.size === 0) {
      next();
      return;
    }
    if (allowed.has('GET')) allowed.add('HEAD');
    next(errors.methodNotAllowed(req.method, [...allowed].sort().join(', ')));
  });
  return router;
}

/** Whether a route pattern (`/v1/users/:id`) matches a literal path, segment by segment. */
function patternMatches(pattern: string, path: string): boolean {
  const patternSegments = pattern.split('/');
  const pathSegments = path.split('/');
  return (
    patternSegments.length === pathSegments.length &&
    patternSegments.every((segment, index) => segment === pathSegments[index] || (segment.startsWith(':') && pathSegments[index] !== ''))
  );
}

/** The path of the first string (or object key) holding a NUL character, which Postgres text cannot store. */
function nulPath(value: unknown, path: string): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = nulPath(item, `${path}.${index}`);
      if (found) return found;
    }
    return null;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      if (key.includes('\u0000')) return path;
      const found = nulPath(item, `${path}.${key}`);
      if (found) return found;
    }
  }
  return null;
}

function parse(schema: z.ZodType | undefined, value: unknown, location: 'params' | 'query' | 'body'): unknown {
  const nul = nulPath(value, location);
  if (nul) throw errors.validation([{ path: nul, message: 'must not contain the NUL character (U+0000)' }]);
  if (!schema) {
    if (location === 'body' && value !== undefined && !(typeof value === 'object' && value !== null && Object.keys(value).length === 0)) {
      throw errors.validation([{ path: 'body', message: 'this route takes no request body' }]);
    }
    return undefined;
  }
  const parsed = schema.safeParse(location === 'query' ? { ...(value as object) } : value);
  if (!parsed.success) throw errors.validation(zodDetails(parsed.error, location));
  return parsed.data;
}

function assertDeclaredResponse(route: AnyRoute, status: number, body: unknown): void {
  const spec = route.responses[status];
  if (!spec) throw new Error(`${routeKey(route)} answered ${status}, which it does not declare`);
  if (spec.schema) {
    const checked = spec.schema.safeParse(body);
    if (!checked.success) {
      throw new Error(
        `${routeKey(route)} answered ${status} with a body that breaks its schema: ${checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
      );
    }
  }
}
