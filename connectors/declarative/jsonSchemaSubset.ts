import { z } from 'zod';
import { isPlainObject } from './safeAccess';
import { isSafePattern } from './safeRegex';

/**
 * The JSON Schema a definition declares for its config and credentials: a small, closed subset
 * (object, string, number, integer, boolean, array; enum, const, default, lengths, bounds, a safe
 * `pattern`, `format` uri / date-time / email, `$ref` to `#/$defs/…` without cycles), turned into
 * a strict zod schema. Anything else is refused with the JSON pointer of the keyword.
 */
export class SchemaFault extends Error {
  constructor(
    readonly pointer: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * An http(s) URL as the published schema states it: a host name whose last label starts with a
 * letter (or a dotted IPv4 address), an optional port, then any path, query or fragment. The URL
 * parser checks it again.
 */
export const HTTP_URL_PATTERN =
  /^[Hh][Tt][Tt][Pp][Ss]?:\/\/(([A-Za-z0-9-]+\.)*[A-Za-z][A-Za-z0-9-]*|((25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9]))(:(6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[0-9]{1,4}))?([/?#][^\s]*)?$/;

const KEYWORDS = new Set([
  'type',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'enum',
  'const',
  'default',
  'description',
  'title',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'minItems',
  'maxItems',
  'pattern',
  'format',
  'writeOnly',
  'examples',
  '$ref',
  '$defs',
  '$schema',
]);

export function jsonSchemaToZod(schema: unknown, pointer: string): z.ZodType {
  const defs = isPlainObject(schema) && isPlainObject(schema.$defs) ? schema.$defs : {};
  return convert(schema, pointer, defs, pointer, []);
}

function convert(schema: unknown, pointer: string, defs: Record<string, unknown>, rootPointer: string, refStack: string[]): z.ZodType {
  if (!isPlainObject(schema)) throw new SchemaFault(pointer, 'a JSON Schema must be an object');
  for (const key of Object.keys(schema)) if (!KEYWORDS.has(key)) throw new SchemaFault(`${pointer}/${key}`, `unsupported JSON Schema keyword "${key}"`);
  if (typeof schema.$ref === 'string') {
    const match = /^#\/\$defs\/([A-Za-z0-9_-]+)$/.exec(schema.$ref);
    if (!match || !Object.prototype.hasOwnProperty.call(defs, match[1]!))
      throw new SchemaFault(`${pointer}/$ref`, 'only references to #/$defs/<name> that exist');
    if (refStack.includes(match[1]!)) throw new SchemaFault(`${pointer}/$ref`, `recursive reference to #/$defs/${match[1]}`);
    return convert(defs[match[1]!], `${rootPointer}/$defs/${match[1]}`, defs, rootPointer, [...refStack, match[1]!]);
  }
  let result: z.ZodType;
  const type = schema.type;
  const describe = typeof schema.description === 'string' ? schema.description : undefined;
  if (Array.isArray(schema.enum)) {
    const values = schema.enum as unknown[];
    if (values.length === 0 || values.length > 200 || !values.every((value) => typeof value === 'string'))
      throw new SchemaFault(`${pointer}/enum`, 'enum: 1–200 strings');
    result = z.enum(values as [string, ...string[]]);
  } else if (schema.const !== undefined) {
    if (!['string', 'number', 'boolean'].includes(typeof schema.const)) throw new SchemaFault(`${pointer}/const`, 'const: a string, number or boolean');
    result = z.literal(schema.const as string | number | boolean);
  } else if (type === 'string') {
    // date-time is a string format of its own (not a pipe), so the published JSON Schema keeps it; a
    // uri is an http(s) URL (the only kind a connector calls), published as HTTP_URL_PATTERN.
    let string = schema.format === 'date-time' ? (z.iso.datetime({ offset: true }) as unknown as z.ZodString) : z.string();
    if (typeof schema.minLength === 'number') string = string.min(schema.minLength);
    string = string.max(typeof schema.maxLength === 'number' ? Math.min(schema.maxLength, 65_536) : 65_536);
    if (schema.pattern !== undefined) {
      if (typeof schema.pattern !== 'string' || !isSafePattern(schema.pattern))
        throw new SchemaFault(`${pointer}/pattern`, 'pattern refused: at most 200 characters, no nested quantifiers or backreferences');
      string = string.regex(new RegExp(schema.pattern, 'u'));
    }
    if (schema.format === 'uri')
      result = string.regex(HTTP_URL_PATTERN, 'an http(s) URL such as https://api.example.com/v1').pipe(z.url({ protocol: /^https?$/ }));
    else if (schema.format === 'date-time') result = string;
    else if (schema.format === 'email') result = string.pipe(z.email());
    else if (schema.format === undefined) result = string;
    else throw new SchemaFault(`${pointer}/format`, 'format: uri, date-time or email');
  } else if (type === 'number' || type === 'integer') {
    let number = type === 'integer' ? z.number().int() : z.number();
    if (typeof schema.minimum === 'number') number = number.min(schema.minimum);
    if (typeof schema.maximum === 'number') number = number.max(schema.maximum);
    result = number;
  } else if (type === 'boolean') {
    result = z.boolean();
  } else if (type === 'array') {
    let array = z.array(convert(schema.items ?? { type: 'string' }, `${pointer}/items`, defs, rootPointer, refStack));
    if (typeof schema.minItems === 'number') array = array.min(schema.minItems);
    array = array.max(typeof schema.maxItems === 'number' ? Math.min(schema.maxItems, 1_000) : 1_000);
    result = array;
  } else if (type === 'object' || type === undefined) {
    const properties = schema.properties ?? {};
    if (!isPlainObject(properties)) throw new SchemaFault(`${pointer}/properties`, 'properties must be an object');
    const required = Array.isArray(schema.required) ? (schema.required as unknown[]) : [];
    const shape: Record<string, z.ZodType> = {};
    for (const [name, property] of Object.entries(properties)) {
      const field = convert(property, `${pointer}/properties/${name}`, defs, rootPointer, refStack);
      shape[name] = required.includes(name) ? field : field.optional();
    }
    for (const name of required) {
      if (typeof name !== 'string' || !Object.prototype.hasOwnProperty.call(properties, name))
        throw new SchemaFault(`${pointer}/required`, `required names "${String(name)}", which is not a property`);
    }
    // Closed by default: a typo in a config field is an error, not a silently ignored value.
    result = schema.additionalProperties === true ? z.looseObject(shape) : z.strictObject(shape);
  } else {
    throw new SchemaFault(`${pointer}/type`, 'type: object, string, number, integer, boolean or array');
  }
  if (schema.default !== undefined) result = result.default(schema.default as never);
  return describe ? result.describe(describe) : result;
}
