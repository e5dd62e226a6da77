import { z } from 'zod';
import { ExpressionError, parseTemplate } from './expression';
import { FORBIDDEN_KEYS, pointerTokens } from './safeAccess';

/**
 * The connector definition document (JSON or YAML): a declarative connector type. Strict at every
 * level (an unknown key is an error, not ignored); templates are checked by the expression parser
 * and JSON pointers by RFC 6901 when the document is validated, so a definition that passes runs.
 */

const template = z
  .string()
  .max(2_000)
  .superRefine((value, ctx) => {
    try {
      parseTemplate(value);
    } catch (error) {
      if (error instanceof ExpressionError) ctx.addIssue({ code: 'custom', message: `template: ${error.message}` });
      else throw error;
    }
  })
  .describe('A string with {{ expressions }} over config, credentials, cursor, response, record, parent, stream, now');

const POINTER_PATTERN = /^(\/([^~/]|~[01])*)*$/;
const pointer = z
  .string()
  .max(500)
  .regex(POINTER_PATTERN, 'not a JSON pointer (RFC 6901: "" or /a/b)')
  // A pointer the pattern refused is reported once, by the pattern.
  .refine((value) => !POINTER_PATTERN.test(value) || !pointerTokens(value).some((token) => FORBIDDEN_KEYS.has(token)), 'names a forbidden key')
  .describe('JSON pointer (RFC 6901), e.g. /data/items; "" is the whole value');

const paramName = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^\r\n]+$/)
  .refine((name) => !FORBIDDEN_KEYS.has(name), 'forbidden name');
const params = z
  .record(paramName, template)
  .refine((value) => Object.keys(value).length <= 50, 'at most 50 parameters')
  .meta({ maxProperties: 50 });
const headerName = z
  .string()
  .regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/)
  .refine((name) => !FORBIDDEN_KEYS.has(name), 'forbidden name');
const headers = z
  .record(headerName, template)
  .refine((value) => Object.keys(value).length <= 30, 'at most 30 headers')
  .meta({ maxProperties: 30 });

const clientAuth = z.enum(['basic', 'body']).default('body').describe('How the client id and secret reach the token endpoint');

export const authSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('none') }),
  z.strictObject({ type: z.literal('api_key'), in: z.enum(['header', 'query']), name: paramName, value: template }),
  z.strictObject({ type: z.literal('basic'), username: template, password: template }),
  z.strictObject({ type: z.literal('bearer'), token: template }),
  z.strictObject({
    type: z.literal('oauth2_client_credentials'),
    tokenUrl: template,
    clientId: template,
    clientSecret: template,
    scope: template.optional(),
    clientAuth,
  }),
  z
    .strictObject({
      type: z.literal('oauth2_refresh_token'),
      tokenUrl: template,
      clientId: template,
      clientSecret: template,
      clientAuth,
      refreshBeforeExpirySeconds: z.number().int().min(0).max(3_600).default(60),
    })
    .describe(
      'Credentials hold accessToken, refreshToken and accessTokenExpiresAt (ISO 8601). A new refresh token in the answer replaces the old one (rotation), stored before use; refreshes of one connector are serialised across workers',
    ),
]);

const stopWhen = z
  .strictObject({ pointer, equals: z.union([z.string(), z.number(), z.boolean(), z.null()]) })
  .describe('Stop when the response value at pointer equals this');

export const paginatorSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('none') }),
  z
    .strictObject({
      type: z.literal('cursor'),
      next: pointer.describe('Where the response carries the next token or URL'),
      param: paramName.optional().describe('Query parameter for the token; without it the token is a URL (absolute or relative) to follow'),
      sizeParam: paramName.optional(),
      maxSize: z.number().int().min(1).max(10_000).default(100),
      stopWhen: stopWhen.optional(),
    })
    .describe('Cursor from a response field (`$next`, `next_cursor`); stops when it is missing or empty'),
  z.strictObject({
    type: z.literal('link_header'),
    rel: z.string().max(40).default('next'),
    sizeParam: paramName.optional(),
    maxSize: z.number().int().min(1).max(10_000).default(100),
  }),
  z.strictObject({
    type: z.literal('offset'),
    offsetParam: paramName,
    limitParam: paramName,
    maxSize: z.number().int().min(1).max(10_000),
    hasMore: pointer.optional().describe('Response flag (e.g. /hasMore); without it a short page ends the stream'),
    stopWhen: stopWhen.optional(),
  }),
  z.strictObject({
    type: z.literal('page_number'),
    pageParam: paramName,
    sizeParam: paramName.optional(),
    maxSize: z.number().int().min(1).max(10_000),
    startAt: z.number().int().min(0).max(1).default(1),
    totalPages: pointer.optional(),
    stopWhen: stopWhen.optional(),
  }),
]);

export const incrementalSchema = z.strictObject({
  cursorField: pointer.describe('The record field that orders changes'),
  type: z.enum(['datetime', 'integer']).default('datetime'),
  format: z
    .enum(['iso8601', 'iso8601_seconds', 'epoch_seconds', 'epoch_millis', 'integer'])
    .default('iso8601')
    .describe('How cursor.start / cursor.end are written into requests'),
  start: template.optional().describe('The first read’s lower bound (e.g. {{ config.startDate }}); without it the first read is a full read'),
  lookbackSeconds: z.number().int().min(0).max(86_400).default(0).describe('Overlap re-read by each traversal (config cursorLookbackSeconds overrides)'),
  windowSeconds: z
    .number()
    .int()
    .min(60)
    .max(31_536_000)
    .optional()
    .describe('Time-window steps: each traversal reads [start, start + window), then the next window, until now'),
  ifModifiedSince: z.boolean().default(false).describe('Send If-Modified-Since with cursor.start (HTTP date); a 304 is an empty page'),
});

export const requestSchema = z.strictObject({
  path: template.describe('Path under the base URL (e.g. /contacts); may use {{ parent.* }}'),
  method: z.enum(['GET', 'POST']).default('GET'),
  params: params.default({}).describe('Query parameters; one whose template has no value is left out'),
  headers: headers.default({}),
  body: z.record(paramName, template).optional().describe('JSON body (POST)'),
  recordSelector: pointer.describe('Where the records array is in the response'),
  paginator: paginatorSchema.default({ type: 'none' }),
});

const deletedEndpoint = requestSchema.extend({
  primaryKey: pointer,
  cursorField: pointer.optional(),
  sinceParam: paramName.optional().describe('Query parameter that takes the deletions lower bound (e.g. deleted_since)'),
});

export const deletesSchema = z
  .strictObject({
    softDelete: z
      .strictObject({
        field: pointer,
        equals: z.union([z.string(), z.number(), z.boolean()]).optional().describe('Deleted when equal; without it, when present and not null/false'),
      })
      .optional(),
    endpoint: deletedEndpoint.optional().describe('A deleted-records endpoint read after the stream’s changes'),
  })
  .refine((value) => value.softDelete || value.endpoint, 'give softDelete or endpoint')
  .meta({ anyOf: [{ required: ['softDelete'] }, { required: ['endpoint'] }] });

export const transformationSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('rename'), from: pointer, to: pointer }),
  z.strictObject({ type: z.literal('drop'), path: pointer }),
  z.strictObject({ type: z.literal('add'), path: pointer, value: z.union([z.string().max(2_000), z.number(), z.boolean(), z.null()]) }),
  z.strictObject({ type: z.literal('flatten'), path: pointer, separator: z.string().min(1).max(3).default('_') }),
  z.strictObject({ type: z.literal('cast'), path: pointer, to: z.enum(['string', 'number', 'integer', 'boolean', 'datetime']) }),
]);

export const streamSchema = requestSchema.extend({
  name: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/)
    .refine((name) => !FORBIDDEN_KEYS.has(name), 'forbidden name'),
  description: z.string().max(500).optional(),
  primaryKey: pointer,
  incremental: incrementalSchema.optional(),
  deletes: deletesSchema.optional(),
  parent: z
    .strictObject({ stream: z.string().max(64), key: pointer.describe('Parent record field the child path uses as {{ parent.key }}') })
    .optional()
    .describe('A child stream reads its path once per record of its parent stream'),
  transformations: z.array(transformationSchema).max(50).default([]),
});

const errorRule = z.strictObject({
  status: z.union([z.number().int().min(100).max(599), z.tuple([z.number().int().min(100).max(599), z.number().int().min(100).max(599)])]).optional(),
  bodyContains: z.string().min(1).max(200).optional(),
  kind: z
    .enum(['auth', 'config', 'rate_limit', 'transient', 'expired_token', 'ignore'])
    .describe('expired_token refreshes the OAuth token once and retries; ignore answers an empty page'),
  retryAfterSeconds: z.number().int().min(1).max(86_400).optional(),
});

export const rateLimitSchema = z.strictObject({
  perSecond: z.number().int().min(1).max(10_000).optional(),
  perMinute: z.number().int().min(1).max(1_000_000).optional(),
  perDay: z.number().int().min(1).max(100_000_000).optional(),
  retryAfterHeaders: z.array(headerName).max(5).default(['Retry-After']),
  resetHeader: z.strictObject({ name: headerName, format: z.enum(['seconds', 'epoch_seconds', 'http_date']) }).optional(),
});

const jsonSchemaDocument = z.record(z.string(), z.unknown()).describe('JSON Schema (a closed subset; see docs/connectors.md)');

export const connectorDefinitionSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[a-z][a-z0-9-]{1,47}$/)
      .describe('Slug; connectors use it as their type `<name>@<version>` (tenant definitions) or `<name>` (shipped ones)'),
    displayName: z.string().min(1).max(200),
    description: z.string().max(2_000).optional(),
    documentationUrl: z.url().optional(),
    baseUrl: template.describe('e.g. https://api.example.com/v1 or {{ config.baseUrl }}'),
    config: jsonSchemaDocument.default({ type: 'object', properties: {} }),
    credentials: jsonSchemaDocument.default({ type: 'object', properties: {} }),
    auth: authSchema,
    headers: headers.default({}).describe('Sent with every request'),
    check: z
      .strictObject({ path: template, params: params.default({}) })
      .optional()
      .describe('The connection test request (default: the first stream’s first page)'),
    streams: z.array(streamSchema).min(1).max(100),
    rateLimit: rateLimitSchema.optional(),
    errors: z.array(errorRule).max(50).default([]),
  })
  .superRefine((definition, ctx) => {
    const names = new Set<string>();
    definition.streams.forEach((stream, index) => {
      if (names.has(stream.name)) ctx.addIssue({ code: 'custom', path: ['streams', index, 'name'], message: `stream "${stream.name}" is declared twice` });
      names.add(stream.name);
    });
    definition.streams.forEach((stream, index) => {
      if (!stream.parent) return;
      const parent = definition.streams.find((candidate) => candidate.name === stream.parent!.stream);
      if (!parent) ctx.addIssue({ code: 'custom', path: ['streams', index, 'parent', 'stream'], message: `no stream "${stream.parent.stream}"` });
      else if (parent.parent)
        ctx.addIssue({ code: 'custom', path: ['streams', index, 'parent', 'stream'], message: 'a parent stream may not have a parent itself' });
    });
  });

export type ConnectorDefinitionDocument = z.infer<typeof connectorDefinitionSchema>;
export type StreamDocument = ConnectorDefinitionDocument['streams'][number];
export type RequestDocument = z.infer<typeof requestSchema>;
export type PaginatorDocument = z.infer<typeof paginatorSchema>;
export type AuthDocument = z.infer<typeof authSchema>;
