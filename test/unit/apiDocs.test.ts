import fs from 'node:fs';
import path from 'node:path';
import { API_REFERENCE, apiReference, renderApiReference } from '../../api/docs/apiReference';
import { buildOpenApiDocument } from '../../api/docs/openapi';
import { routes } from '../../api/routes';

const root = path.resolve(__dirname, '..', '..');

describe('API reference (docs/api.md)', () => {
  it('is the rendering of the OpenAPI document the API serves (fix: npm run docs:api)', () => {
    const committed = fs.readFileSync(path.join(root, API_REFERENCE), 'utf8');
    // toBe rather than a boolean: a failure shows the first lines that differ.
    expect(committed).toBe(apiReference());
  });

  it('has a section for every operation of the document, with its auth and responses', () => {
    const document = buildOpenApiDocument(routes, { version: '1.0.0' });
    const rendered = renderApiReference(document);
    const operations = Object.entries(document.paths as Record<string, Record<string, unknown>>).flatMap(([route, byMethod]) =>
      Object.keys(byMethod).map((method) => `### ${method.toUpperCase()} ${route}\n`),
    );
    expect(operations.length).toBe(routes.length);
    for (const heading of operations) expect(rendered).toContain(heading);
    expect(rendered.match(/^Auth: /gm)).toHaveLength(routes.length);
    expect(rendered.match(/^Responses:$/gm)).toHaveLength(routes.length);
  });

  it('renders parameters, body fields with their bounds, roles and scopes', () => {
    const reference = apiReference();
    const section = (heading: string) => {
      const start = reference.indexOf(`### ${heading}\n`);
      expect(start).toBeGreaterThanOrEqual(0);
      const end = reference.indexOf('\n### ', start + 1);
      return reference.slice(start, end === -1 ? undefined : end);
    };
    expect(section('GET /v1/users/{id}')).toMatch(/\| `id` \| path \| string \(uuid\) \| yes \|/);
    expect(section('POST /v1/api-keys')).toContain('| `scopes` | array of string | no |');
    expect(section('POST /v1/api-keys')).toContain('1–50 items');
    expect(section('POST /v1/api-keys')).toContain('role `member` or above, key scope `api-keys:write`');
    expect(section('GET /v1/records')).toMatch(/\| `limit` \| query \|.*default `100`/);
    expect(section('POST /v1/admin/tenants')).toContain('platform admin token');
    expect(section('GET /healthz')).toContain('Auth: none (public).');
  });
});
