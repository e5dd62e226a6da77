import fs from 'node:fs';
import path from 'node:path';
import { accessTable } from '../auth/accessTable';
import { requiredScope } from '../auth/scopes';
import { routeKey } from '../http/route';
import { buildOpenApiDocument, NO_NUL_PATTERN, openApiPath } from './openapi';
import { routes } from '../routes';

type JsonSchema = Record<string, unknown>;

/** Where the rendered reference lives, relative to the repository root. */
export const API_REFERENCE = 'docs/api.md';

/** Who may call an operation beyond its security scheme: the weakest role and the key scope it needs. */
export interface OperationAccess {
  minRole?: string;
  scope?: string;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** A table cell: one line, pipes escaped. */
function cell(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');
}

function code(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``;
}

function bounds(schema: JsonSchema): string[] {
  const notes: string[] = [];
  const range = (low: unknown, high: unknown, unit: string) => {
    if (typeof low === 'number' && typeof high === 'number') notes.push(low === high ? `exactly ${low}${unit}` : `${low}–${high}${unit}`);
    else if (typeof low === 'number') notes.push(`at least ${low}${unit}`);
    else if (typeof high === 'number') notes.push(`at most ${high}${unit}`);
  };
  range(schema.minLength, schema.maxLength, ' characters');
  range(schema.minItems, schema.maxItems, ' items');
  range(schema.minimum, schema.maximum, '');
  if (typeof schema.exclusiveMinimum === 'number') notes.push(`greater than ${schema.exclusiveMinimum}`);
  if (typeof schema.exclusiveMaximum === 'number') notes.push(`less than ${schema.exclusiveMaximum}`);
  // A format (uuid, email, date-time) already says what its generated pattern spells out.
  // The no-NUL pattern of every string is said once, in the introduction.
  if (typeof schema.pattern === 'string' && schema.format === undefined && schema.pattern !== NO_NUL_PATTERN) notes.push(`pattern ${code(schema.pattern)}`);
  if (schema.default !== undefined) notes.push(`default ${code(schema.default)}`);
  return notes;
}

/** A short type description of a JSON Schema: `string (uuid)`, `integer`, `array of string`, one of the enum values… */
function typeOf(schema: JsonSchema | undefined): string {
  if (!schema || Object.keys(schema).length === 0) return 'any';
  if (typeof schema.$ref === 'string') return schema.$ref.split('/').pop()!;
  if (schema.const !== undefined) return code(schema.const);
  if (Array.isArray(schema.enum)) return (schema.enum as unknown[]).map(code).join(', ');
  // With a type of its own, a schema's allOf/anyOf/oneOf only add constraints (patterns, required fields).
  const alternatives = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (alternatives && schema.type === undefined) return [...new Set(alternatives.flatMap((alternative) => typeOf(alternative).split(' or ')))].join(' or ');
  if (Array.isArray(schema.allOf) && schema.type === undefined) return (schema.allOf as JsonSchema[]).map(typeOf).join(' and ');
  const types = Array.isArray(schema.type) ? (schema.type as string[]) : typeof schema.type === 'string' ? [schema.type] : [];
  return (types.length ? types : ['any'])
    .map((type) => {
      if (type === 'array') return `array of ${typeOf(schema.items as JsonSchema | undefined)}`;
      if (type === 'string' && typeof schema.format === 'string') return `string (${schema.format})`;
      if (type === 'object' && !schema.properties && typeof schema.additionalProperties === 'object') {
        return `map of ${typeOf(schema.additionalProperties as JsonSchema)}`;
      }
      return type;
    })
    .join(' or ');
}

/** `type — description; bounds` for a table row. */
function describe(schema: JsonSchema): { type: string; notes: string } {
  // Nullable and union fields keep their description and bounds on the alternatives.
  const withAlternatives = (source: JsonSchema): JsonSchema[] => [
    source,
    ...(((source.anyOf ?? source.oneOf) as JsonSchema[] | undefined) ?? []).flatMap(withAlternatives),
  ];
  const sources = withAlternatives(schema);
  const descriptions = sources.map((source) => (typeof source.description === 'string' ? source.description : ''));
  const parts = [...new Set([...descriptions, ...sources.flatMap(bounds)].filter(Boolean))];
  return { type: typeOf(schema), notes: parts.join('; ') };
}

interface Field {
  name: string;
  schema: JsonSchema;
  required: boolean;
}

/** The fields of an object schema, nested objects and arrays of objects flattened (`a.b`, `a[].b`). */
function fieldsOf(schema: JsonSchema, prefix = '', depth = 0): Field[] {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  return Object.entries(properties).flatMap(([name, property]) => {
    const field: Field = { name: `${prefix}${name}`, schema: property, required: required.has(name) };
    if (depth >= 3) return [field];
    // A nullable object (`anyOf: [object, null]`) lists its object's fields.
    const object = property.properties
      ? property
      : ((property.anyOf ?? property.oneOf) as JsonSchema[] | undefined)?.find((alternative) => alternative.properties);
    if (object) return [field, ...fieldsOf(object, `${field.name}.`, depth + 1)];
    const items = property.items as JsonSchema | undefined;
    if (items?.properties) return [field, ...fieldsOf(items, `${field.name}[].`, depth + 1)];
    return [field];
  });
}

function fieldTable(fields: Field[]): string[] {
  return [
    '| Field | Type | Required | Notes |',
    '|---|---|---|---|',
    ...fields.map((field) => {
      const { type, notes } = describe(field.schema);
      return `| ${cell(code(field.name))} | ${cell(type)} | ${field.required ? 'yes' : 'no'} | ${cell(notes)} |`;
    }),
  ];
}

function authOf(operation: JsonSchema, access: OperationAccess | undefined): string {
  const requirements = (operation.security ?? []) as Record<string, string[]>[];
  if (requirements.length === 0) return 'none (public)';
  const schemes = requirements.flatMap((requirement) =>
    Object.entries(requirement).map(([name, scopes]) => (scopes.length ? `${name} (${scopes.join(', ')})` : name)),
  );
  const described =
    schemes.includes('ApiKey') && schemes.includes('BearerApiKey')
      ? ['tenant API key (`X-API-Key` or `Authorization: Bearer`)', ...schemes.filter((scheme) => scheme !== 'ApiKey' && scheme !== 'BearerApiKey').map(code)]
      : schemes.map((scheme) => (scheme === 'AdminToken' ? 'platform admin token (`Authorization: Bearer`)' : code(scheme)));
  const extra = [access?.minRole ? `role ${code(access.minRole)} or above` : '', access?.scope ? `key scope ${code(access.scope)}` : ''].filter(Boolean);
  return `${described.join(' or ')}${extra.length ? `; ${extra.join(', ')}` : ''}`;
}

function anchorOf(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/**
 * Renders an OpenAPI 3.1 document as Markdown: per operation its method and path, summary, auth,
 * parameters, request body fields and responses, grouped by tag in the document's order.
 */
export function renderApiReference(document: JsonSchema, accessOf: (method: string, path: string) => OperationAccess | undefined = () => undefined): string {
  const info = document.info as { title: string; version: string; description?: string };
  const paths = document.paths as Record<string, Record<string, JsonSchema>>;
  const operations = Object.entries(paths).flatMap(([route, byMethod]) =>
    METHODS.filter((method) => byMethod[method]).map((method) => ({ method, route, operation: byMethod[method]! })),
  );
  const tags = [...new Set(operations.map(({ operation }) => ((operation.tags as string[] | undefined) ?? ['other'])[0]!))];
  const schemes = ((document.components as JsonSchema | undefined)?.securitySchemes ?? {}) as Record<string, JsonSchema>;

  const lines: string[] = [
    `# ${info.title} reference`,
    '',
    '<!-- Generated by `npm run docs:api` from the OpenAPI document the API serves at /openapi.json. Do not edit: test/unit/apiDocs.test.ts fails when this file differs from the rendering. -->',
    '',
    `Version ${info.version}, OpenAPI ${String(document.openapi)}. ${info.description ?? ''}`.trim(),
    '',
    'The running API serves the same document at `/openapi.json` and an interactive page at `/docs`.',
    'Lists are paged with `?page=&limit=` (default 25, larger limits capped at 100) unless an',
    'operation says otherwise. A tenant key with scopes needs the scope named per operation',
    '(`<area>:read` for GET, `<area>:write` otherwise; `<area>:*`, `*:read` and `*` cover them).',
    'The parameters of each job kind (`POST /v1/jobs`) and their limits are in [bulk-jobs.md](bulk-jobs.md).',
    '',
    '## Authentication',
    '',
    '| Scheme | How | Meaning |',
    '|---|---|---|',
    ...Object.entries(schemes).map(([name, scheme]) => {
      const how =
        scheme.type === 'apiKey'
          ? `header ${code(scheme.in === 'header' ? scheme.name : `${String(scheme.in)} ${String(scheme.name)}`)}`
          : `HTTP ${String(scheme.scheme)}`;
      return `| ${code(name)} | ${cell(how)} | ${cell(String(scheme.description ?? ''))} |`;
    }),
    '',
    '## Operations',
    '',
  ];
  for (const tag of tags) {
    lines.push(
      `- ${tag}: ${operations
        .filter(({ operation }) => ((operation.tags as string[] | undefined) ?? ['other'])[0] === tag)
        .map(({ method, route }) => `[${method.toUpperCase()} ${route}](#${anchorOf(`${method.toUpperCase()} ${route}`)})`)
        .join(', ')}`,
    );
  }
  for (const tag of tags) {
    lines.push('', `## ${tag}`);
    for (const { method, route, operation } of operations.filter(
      ({ operation: candidate }) => ((candidate.tags as string[] | undefined) ?? ['other'])[0] === tag,
    )) {
      lines.push('', `### ${method.toUpperCase()} ${route}`, '');
      if (typeof operation.summary === 'string') lines.push(operation.summary, '');
      lines.push(`Auth: ${authOf(operation, accessOf(method, route))}.`, '');
      const parameters = (operation.parameters ?? []) as { name: string; in: string; required?: boolean; description?: string; schema?: JsonSchema }[];
      if (parameters.length) {
        lines.push('Parameters:', '', '| Name | In | Type | Required | Notes |', '|---|---|---|---|---|');
        for (const parameter of parameters) {
          const { type, notes } = describe({ ...(parameter.schema ?? {}), ...(parameter.description ? { description: parameter.description } : {}) });
          lines.push(`| ${cell(code(parameter.name))} | ${parameter.in} | ${cell(type)} | ${parameter.required ? 'yes' : 'no'} | ${cell(notes)} |`);
        }
        lines.push('');
      }
      const body = operation.requestBody as { content?: Record<string, { schema?: JsonSchema }> } | undefined;
      if (body?.content) {
        for (const [contentType, { schema }] of Object.entries(body.content)) {
          const fields = schema ? fieldsOf(schema) : [];
          // A body that is one of several objects told apart by a constant field (POST /v1/jobs by kind): one table each.
          const variants = ((schema?.oneOf ?? schema?.anyOf) as JsonSchema[] | undefined)?.filter((variant) => variant.properties) ?? [];
          if (!fields.length && variants.length) {
            lines.push(`Request body (${code(contentType)}), one of:`, '');
            for (const variant of variants) {
              const constants = Object.entries((variant.properties ?? {}) as Record<string, JsonSchema>).filter(([, property]) => property.const !== undefined);
              lines.push(
                `${constants.map(([name, property]) => `${code(name)} = ${code(property.const)}`).join(', ') || 'variant'}:`,
                '',
                ...fieldTable(fieldsOf(variant)),
                '',
              );
            }
          } else if (fields.length) {
            const atLeast = typeof schema?.minProperties === 'number' ? `, at least ${schema.minProperties} field${schema.minProperties === 1 ? '' : 's'}` : '';
            lines.push(`Request body (${code(contentType)})${atLeast}:`, '', ...fieldTable(fields), '');
          } else {
            const { type, notes } = describe(schema ?? {});
            lines.push(`Request body (${code(contentType)}): ${type}${notes ? ` — ${notes}` : ''}.`, '');
          }
        }
      }
      const responses = (operation.responses ?? {}) as Record<string, { description?: string; content?: Record<string, unknown> }>;
      lines.push('Responses:', '', '| Status | Meaning | Content |', '|---|---|---|');
      for (const [status, response] of Object.entries(responses)) {
        lines.push(
          `| ${status} | ${cell(response.description ?? '')} | ${Object.keys(response.content ?? {})
            .map(code)
            .join(', ')} |`,
        );
      }
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The reference of this API: the document `/openapi.json` serves (without its server URL), with each tenant route's role and scope. */
export function apiReference(): string {
  const document = buildOpenApiDocument(routes, { version: '1.0.0' });
  const byOperation = new Map(routes.map((route) => [`${route.method} ${openApiPath(route.path)}`, route]));
  return renderApiReference(document, (method, operationPath) => {
    const route = byOperation.get(`${method} ${operationPath}`);
    if (!route || route.auth !== 'tenant') return undefined;
    return { minRole: accessTable[routeKey(route)], scope: requiredScope(route.method, route.path) };
  });
}

if (require.main === module) {
  const target = path.resolve(__dirname, '..', '..', API_REFERENCE);
  const next = apiReference();
  const current = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : undefined;
  if (current !== next) fs.writeFileSync(target, next);
  process.stdout.write(`${API_REFERENCE} ${current === next ? 'is current' : 'written'}\n`);
}
