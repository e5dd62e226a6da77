import { stringify } from 'yaml';
import { parseDefinitionText, validateDefinition, MAX_DEFINITION_BYTES } from '../../connectors/declarative/parseDefinition';
import { render, parseTemplate, ExpressionError } from '../../connectors/declarative/expression';
import { isSafePattern } from '../../connectors/declarative/safeRegex';
import { applyTransformations } from '../../connectors/declarative/transformations';
import { shippedDefinitionDocuments } from '../../connectors/definitions';

/** A small valid definition tests change one thing in. */
function minimal(): Record<string, unknown> {
  return {
    name: 'acme-crm',
    displayName: 'Acme CRM',
    baseUrl: '{{ config.baseUrl }}',
    config: { type: 'object', properties: { baseUrl: { type: 'string', format: 'uri' } }, required: ['baseUrl'] },
    credentials: { type: 'object', properties: { apiKey: { type: 'string' } }, required: ['apiKey'] },
    auth: { type: 'api_key', in: 'header', name: 'X-API-Key', value: '{{ credentials.apiKey }}' },
    streams: [{ name: 'people', path: '/people', recordSelector: '/data', primaryKey: '/id' }],
  };
}

const refusal = (document: unknown) => {
  const parsed = validateDefinition(document);
  if (parsed.ok) throw new Error('expected the definition to be refused');
  return parsed.faults[0]!;
};

describe('connector definition documents', () => {
  it('accepts the minimal definition, as JSON and as YAML, and every shipped one', () => {
    expect(validateDefinition(minimal()).ok).toBe(true);
    expect(parseDefinitionText(stringify(minimal()), 'yaml').ok).toBe(true);
    expect(Object.keys(shippedDefinitionDocuments).sort()).toEqual(['oracle-fusion-erp', 'rest-api-key', 'sage-accounting']);
  });

  it('names the JSON pointer of an invalid field', () => {
    const document = minimal();
    (document.streams as Array<Record<string, unknown>>)[0]!.paginator = { type: 'offset', offsetParam: 'offset' };
    expect(refusal(document)).toMatchObject({ code: 'DEFINITION_INVALID', pointer: expect.stringMatching(/^\/streams\/0\/paginator/) });
    expect(refusal({ ...minimal(), extra: true })).toMatchObject({ pointer: '' });
    expect(refusal({ ...minimal(), baseUrl: '{{ config.baseUrl | shell }}' })).toMatchObject({
      pointer: '/baseUrl',
      message: expect.stringContaining('unknown filter'),
    });
  });

  it('refuses prototype-pollution keys anywhere, with their pointer', () => {
    const polluted = JSON.parse('{"name":"acme-crm","config":{"type":"object","properties":{"__proto__":{"type":"string"}}}}');
    expect(refusal(polluted)).toMatchObject({ code: 'DEFINITION_HOSTILE', pointer: '/config/properties/__proto__' });
    expect(refusal({ ...minimal(), headers: { constructor: 'x' } })).toMatchObject({ code: 'DEFINITION_HOSTILE', pointer: '/headers/constructor' });
    const prototypeKey = minimal();
    (prototypeKey.streams as Array<Record<string, unknown>>)[0]!.params = { prototype: '1' };
    expect(refusal(prototypeKey)).toMatchObject({ pointer: '/streams/0/params/prototype' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // Expressions may not name them either.
    expect(refusal({ ...minimal(), baseUrl: '{{ config.constructor }}' })).toMatchObject({
      pointer: '/baseUrl',
      message: expect.stringContaining('constructor'),
    });
    expect(refusal({ ...minimal(), baseUrl: '{{ config.__proto__.x }}' })).toMatchObject({ pointer: '/baseUrl' });
  });

  it('refuses catastrophic regular expressions in config schemas', () => {
    for (const pattern of ['^(a+)+$', '(a|aa)*b', '(.*a){20}', '(\\w+\\s?)+$', '(a)\\1']) expect(isSafePattern(pattern)).toBe(false);
    for (const pattern of ['^[0-9][0-9.]{0,19}$', '^[A-Z]{3}$', '^(ab|cd)$', '^a+b*$']) expect(isSafePattern(pattern)).toBe(true);
    const document = minimal();
    (document.config as { properties: Record<string, unknown> }).properties.code = { type: 'string', pattern: '^(a+)+$' };
    expect(refusal(document)).toMatchObject({ code: 'DEFINITION_INVALID', pointer: '/config/properties/code/pattern' });
  });

  it('refuses recursive references and YAML aliases', () => {
    const document = minimal();
    document.config = {
      type: 'object',
      properties: { baseUrl: { type: 'string' }, node: { $ref: '#/$defs/node' } },
      $defs: { node: { type: 'object', properties: { child: { $ref: '#/$defs/node' } } } },
    };
    expect(refusal(document)).toMatchObject({ pointer: '/config/$defs/node/properties/child/$ref', message: expect.stringContaining('recursive') });
    const bomb = ['a: &a ["x","x","x"]', 'b: &b [*a,*a,*a]', 'c: &c [*b,*b,*b]', 'name: acme-crm'].join('\n');
    const parsed = parseDefinitionText(bomb, 'yaml');
    expect(parsed).toMatchObject({ ok: false, faults: [{ code: 'DEFINITION_UNPARSABLE', pointer: '' }] });
  });

  it('refuses oversized and deeply nested documents before validating them', () => {
    const huge = JSON.stringify({ ...minimal(), description: 'x'.repeat(MAX_DEFINITION_BYTES) });
    expect(parseDefinitionText(huge, 'json')).toMatchObject({ ok: false, faults: [{ code: 'DEFINITION_TOO_LARGE', pointer: '' }] });
    let deep: unknown = 'x';
    for (let depth = 0; depth < 200; depth += 1) deep = { a: deep };
    expect(refusal({ ...minimal(), config: deep })).toMatchObject({ code: 'DEFINITION_HOSTILE', message: expect.stringContaining('deeper') });
  });
});

describe('the expression language', () => {
  it('reads own data only, and leaves out a value that is missing', () => {
    const scope = { config: { a: { b: 'x y' }, list: ['p', 'q'] }, cursor: { start: null } };
    expect(render('{{ config.a.b | urlencode }}/{{ config.list[1] }}', scope)).toBe('x%20y/q');
    expect(render('since={{ cursor.start }}', scope)).toBeUndefined();
    expect(render("{{ cursor.start ?? '1970-01-01T00:00:00Z' | epoch }}", scope)).toBe('0');
    expect(render('{{ config.a.toString }}', scope)).toBeUndefined();
    expect(render('{{ config.list.length }}', scope)).toBeUndefined();
  });

  it('has no calls, operators or other roots', () => {
    for (const source of ['{{ config.a() }}', '{{ process.env }}', '{{ config.a + 1 }}', '{{ this }}', '{{ config["a"] }}', '{{ unclosed']) {
      expect(() => parseTemplate(source)).toThrow(ExpressionError);
    }
  });
});

describe('transformations', () => {
  it('rename, drop, add, flatten and cast, on a copy', () => {
    const source = { id: 1, Name: 'A', secret: 's', address: { city: 'Bern', geo: { lat: 1 } }, total: '12.50', active: 'true' };
    const out = applyTransformations(source, [
      { type: 'rename', from: '/Name', to: '/name' },
      { type: 'drop', path: '/secret' },
      { type: 'add', path: '/source', value: 'acme' },
      { type: 'flatten', path: '/address', separator: '_' },
      { type: 'cast', path: '/total', to: 'number' },
      { type: 'cast', path: '/active', to: 'boolean' },
    ]);
    expect(out).toEqual({ id: 1, name: 'A', source: 'acme', address_city: 'Bern', address_geo_lat: 1, total: 12.5, active: true });
    expect(source.Name).toBe('A');
  });
});
