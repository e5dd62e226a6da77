import { z } from 'zod';
import { errorResponseSchema } from '../errors';
import { type AnyRoute } from '../http/route';
import { scimErrorSchema } from '../scim/scimError';

type JsonSchema = Record<string, unknown>;

/** Express `/v1/users/:id` → OpenAPI `/v1/users/{id}`. */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

/**
 * The pattern of every request string without a stricter one: no U+0000 (Postgres text cannot
 * hold it, so the server refuses it in any string or object key).
 */
export const NO_NUL_PATTERN = '^[^\\u0000]*$';

function toJsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const converted = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as JsonSchema;
  delete converted.$schema;
  if (io === 'input') refuseNul(converted);
  return converted;
}

/** Adds {@link NO_NUL_PATTERN} to each string schema (and object keys) of a request schema that has no pattern, format or fixed values. */
function refuseNul(schema: unknown): void {
  if (Array.isArray(schema)) {
    for (const item of schema) refuseNul(item);
    return;
  }
  if (typeof schema !== 'object' || schema === null) return;
  const node = schema as JsonSchema;
  const isString = node.type === 'string' || (Array.isArray(node.type) && node.type.includes('string'));
  if (isString && node.pattern === undefined && node.format === undefined && node.enum === undefined && node.const === undefined && node.allOf === undefined) {
    node.pattern = NO_NUL_PATTERN;
  }
  if (node.type === 'object' && node.propertyNames === undefined && node.properties === undefined) node.propertyNames = { pattern: NO_NUL_PATTERN };
  for (const value of Object.values(node)) refuseNul(value);
}

function parameters(schema: z.ZodType | undefined, location: 'path' | 'query'): JsonSchema[] {
  if (!schema) return [];
  const json = toJsonSchema(schema, 'input');
  const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json.required as string[] | undefined) ?? []);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: location,
    required: location === 'path' ? true : required.has(name),
    ...(typeof property.description === 'string' ? { description: property.description } : {}),
    schema: property,
  }));
}

/** Body types whose document a route may describe by schema (the parsed value, not the bytes). */
const STRUCTURED_TYPES = new Set(['application/json', 'application/yaml']);

/** A raw body: the file itself, or for multipart/form-data a form whose `file` part carries it. */
function rawBodySchema(contentType: string): JsonSchema {
  const file = { type: 'string', format: 'binary' };
  if (contentType !== 'multipart/form-data') return file;
  return { type: 'object', properties: { file: { ...file, description: 'The file (a part with a filename)' } }, required: ['file'] };
}

const standardErrors: Record<string, string> = {
  '400': 'Invalid request (VALIDATION_FAILED, INVALID_JSON)',
  '401': 'Missing, unknown, expired or revoked credential (UNAUTHENTICATED), or a signed-out or expired console session (SESSION_EXPIRED)',
  '403':
    'Role or scope does not allow this (FORBIDDEN), the tenant is suspended (TENANT_SUSPENDED), the IP allowlist refuses the caller (IP_NOT_ALLOWED), a session-cookie change lacks its X-CSRF-Token (CSRF_TOKEN_INVALID), or the session must enrol in MFA first (MFA_ENROLMENT_REQUIRED)',
  '404': 'No such resource in this tenant (NOT_FOUND)',
  '413': 'Request body too large (PAYLOAD_TOO_LARGE)',
  '415': 'The request body encoding is not supported (UNSUPPORTED_MEDIA_TYPE)',
  '429': 'Rate limit or quota exceeded (RATE_LIMITED, QUOTA_EXCEEDED)',
  '500': 'Unexpected error (INTERNAL)',
  '503':
    'The database or the workflow engine is unreachable or restarting (DATABASE_UNAVAILABLE, WORKFLOW_ENGINE_UNAVAILABLE); retry after Retry-After seconds',
};

/** The Retry-After header of 503 answers (and of the routes' own 503s). */
const retryAfterHeader = { 'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer', minimum: 1 } } };

/**
 * Builds the OpenAPI 3.1 document from the route definitions: the same zod schemas that validate
 * requests describe them here, so the document cannot disagree with the code.
 */
export function buildOpenApiDocument(routes: readonly AnyRoute[], info: { version: string; serverUrl?: string }): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  const apiErrorSchema = toJsonSchema(errorResponseSchema, 'output');
  const scimErrorJson = toJsonSchema(scimErrorSchema, 'output');
  for (const route of routes) {
    // /scim/v2 answers errors in SCIM's shape (RFC 7644 §3.12).
    const errorSchema = route.auth === 'scim' ? scimErrorJson : apiErrorSchema;
    const errorContentType = route.auth === 'scim' ? 'application/scim+json' : 'application/json';
    const path = openApiPath(route.path);
    const responses: Record<string, JsonSchema> = {};
    for (const [status, spec] of Object.entries(route.responses)) {
      const contentType = spec.contentType ?? 'application/json';
      // An error a route declares without a schema has the error shape of every error.
      const schema = spec.schema
        ? toJsonSchema(spec.schema, 'output')
        : spec.contentType
          ? { type: 'string' }
          : Number(status) >= 400
            ? errorSchema
            : undefined;
      responses[status] = { description: spec.description, ...(schema ? { content: { [contentType]: { schema } } } : {}) };
    }
    const applicable = Object.keys(standardErrors).filter((status) => {
      if (status === '401' || status === '403' || status === '429') return route.auth !== 'public';
      // The JSON parser reads a body sent to any method, so these apply beyond the routes that take one.
      if (status === '400') return route.auth !== 'public' || route.body !== undefined || route.params !== undefined || route.query !== undefined;
      if (status === '413' || status === '415') return route.auth !== 'public' || route.body !== undefined;
      if (status === '404') return route.path.includes(':');
      // Public routes that need the database (readiness, the Stripe webhook) declare their own 503.
      if (status === '503') return route.auth !== 'public';
      return true;
    });
    for (const status of applicable) {
      responses[status] ??= { description: standardErrors[status], content: { [errorContentType]: { schema: errorSchema } } };
    }
    // Any route may meet an outage: a route's own 503 (e.g. ONBOARDING_PENDING) names it besides the standard codes.
    const unavailable = responses['503'];
    if (unavailable) {
      const standard = standardErrors['503']!;
      if (unavailable.description !== standard)
        unavailable.description = `${String(unavailable.description)}; or ${standard[0]!.toLowerCase()}${standard.slice(1)}`;
      unavailable.content ??= { [errorContentType]: { schema: errorSchema } };
      unavailable.headers ??= retryAfterHeader;
    }
    const operation: JsonSchema = {
      operationId: `${route.method}${path
        .replace(/[{}]/g, '')
        .split(/[/-]/)
        .filter(Boolean)
        .map((part) => part[0]!.toUpperCase() + part.slice(1))
        .join('')}`,
      summary: route.summary,
      tags: route.tags,
      parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query')],
      responses,
      security:
        route.auth === 'tenant'
          ? [{ ApiKey: [] }, { BearerApiKey: [] }, { SessionCookie: [] }]
          : route.auth === 'admin'
            ? [{ AdminToken: [] }]
            : route.auth === 'scim'
              ? [{ ScimToken: [] }]
              : [],
    };
    if (route.body) {
      const bodySchema = toJsonSchema(route.documentedBody ?? route.body, 'input');
      const bodyTypes = route.auth === 'scim' ? ['application/scim+json', 'application/json'] : ['application/json'];
      operation.requestBody = { required: true, content: Object.fromEntries(bodyTypes.map((type) => [type, { schema: bodySchema }])) };
    } else if (route.rawBody) {
      operation.requestBody = {
        // An empty body is an empty file.
        required: false,
        content: Object.fromEntries(
          route.rawBody.contentTypes.map((type) => [
            type,
            { schema: route.rawBody!.document && STRUCTURED_TYPES.has(type) ? toJsonSchema(route.rawBody!.document, 'input') : rawBodySchema(type) },
          ]),
        ),
      };
    }
    (paths[path] ??= {})[route.method] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Integration Hub API',
      version: info.version,
      description:
        'Multi-tenant integration hub. Errors: { "error": { "code", "message", "details"? } }. No string (nor object key) may contain U+0000: 400 VALIDATION_FAILED. ' +
        'A method a path does not declare answers 405 METHOD_NOT_ALLOWED with an Allow header.',
    },
    ...(info.serverUrl ? { servers: [{ url: info.serverUrl }] } : {}),
    paths,
    components: {
      securitySchemes: {
        ApiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: 'Tenant API key hub_sk_…' },
        BearerApiKey: { type: 'http', scheme: 'bearer', description: 'Tenant API key as a bearer token' },
        SessionCookie: {
          type: 'apiKey',
          in: 'cookie',
          name: 'hub_session',
          description: 'Console session (POST /v1/auth/sign-in); changes also need X-CSRF-Token',
        },
        AdminToken: { type: 'http', scheme: 'bearer', description: 'HUB_ADMIN_TOKEN (platform admin routes)' },
        ScimToken: { type: 'http', scheme: 'bearer', description: 'The tenant’s SCIM token hub_scim_… (POST /v1/scim-token), for /scim/v2' },
      },
    },
  };
}
