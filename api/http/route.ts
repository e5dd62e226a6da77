import { type Request, type Response } from 'express';
import { type z } from 'zod';
import { type ApiDeps } from '../deps';
import { type Principal, type ScimPrincipal, type TenantPrincipal } from '../auth/principal';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** Who may call a route: anyone, the platform admin token, a tenant API key, or a tenant's SCIM token (/scim/v2). */
export type RouteAuth = 'public' | 'admin' | 'tenant' | 'scim';

type Schema = z.ZodType;
type Infer<S> = S extends z.ZodType ? z.infer<S> : undefined;

/**
 * A response a handler returns; `body` is serialised as JSON (validated against its schema outside
 * production). `json` instead carries a body already serialised (e.g. rendered by Postgres for a
 * hot list), sent as is and validated the same way.
 */
export type JsonResult = { status: number; headers?: Record<string, string> } & ({ body?: unknown; json?: never } | { json: string; body?: never });

/** Returned by handlers that wrote the response themselves (streams, text formats). */
export const RESPONDED = Symbol('responded');

/** Documentation of one response status. */
export interface ResponseSpec {
  description: string;
  schema?: Schema;
  /** Non-JSON content type (e.g. text/plain for /metrics). */
  contentType?: string;
}

export interface RouteContext<P, Q, B, A extends RouteAuth> {
  req: Request;
  res: Response;
  params: P;
  query: Q;
  body: B;
  deps: ApiDeps;
  principal: A extends 'tenant' ? TenantPrincipal : A extends 'scim' ? ScimPrincipal : A extends 'admin' ? Principal : undefined;
}

/**
 * One API route: path, auth, zod schemas (the single source of validation and OpenAPI) and handler.
 * Files under api/routes/<area>/<verbNoun>.ts each export one.
 */
export interface RouteDefinition<
  PS extends Schema | undefined = Schema | undefined,
  QS extends Schema | undefined = Schema | undefined,
  BS extends Schema | undefined = Schema | undefined,
  A extends RouteAuth = RouteAuth,
> {
  method: HttpMethod;
  /** Express path, e.g. `/v1/users/:id`. */
  path: string;
  auth: A;
  summary: string;
  tags: string[];
  params?: PS;
  query?: QS;
  body?: BS;
  /**
   * The body as the OpenAPI document describes it, when the handler validates part of the body
   * itself (POST /v1/jobs checks `params` by `kind`): the exact shape the server accepts.
   */
  documentedBody?: z.ZodType;
  /**
   * Request body types other than JSON this route accepts (e.g. uploads). `document` is the schema
   * of a structured body (JSON or YAML) the handler reads and validates itself: documented for
   * those types, never parsed by the router.
   */
  rawBody?: { contentTypes: string[]; document?: z.ZodType };
  responses: Record<number, ResponseSpec>;
  /** Suspended tenants may still call it (their profile, their invoices); such routes are also quota-exempt. */
  allowWhenSuspended?: boolean;
  /** Stays reachable when a plan's monthly quota is used up (account routes: usage, invoices). */
  quotaExempt?: boolean;
  /** Metered cost of one admitted call (usage_events.cost_units); default 1. */
  costUnits?: number;
  handler(ctx: RouteContext<Infer<PS>, Infer<QS>, Infer<BS>, A>): Promise<JsonResult | typeof RESPONDED>;
}

/** Identity function that infers a route's types from its schemas. */
export function defineRoute<
  PS extends Schema | undefined = undefined,
  QS extends Schema | undefined = undefined,
  BS extends Schema | undefined = undefined,
  A extends RouteAuth = RouteAuth,
>(route: RouteDefinition<PS, QS, BS, A>): RouteDefinition<PS, QS, BS, A> {
  return route;
}

/** Any route, for registries. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRoute = RouteDefinition<any, any, any, any>;

/** `GET /v1/users/:id` — the key of a route in the access table and in metrics. */
export function routeKey(route: Pick<AnyRoute, 'method' | 'path'>): string {
  return `${route.method.toUpperCase()} ${route.path}`;
}
