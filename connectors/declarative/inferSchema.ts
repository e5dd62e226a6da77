import { isPlainObject } from './safeAccess';

type JsonSchema = Record<string, unknown>;

/**
 * A JSON Schema inferred from sample records (what `check` answers): each property's type or
 * types as seen, nested objects and arrays to a bounded depth, required = present in every sample.
 */
export function inferJsonSchema(samples: readonly unknown[]): JsonSchema {
  return merge(samples, 0);
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value) && !Number.isNaN(Date.parse(value))) return 'date-time';
  return typeof value;
}

function merge(values: readonly unknown[], depth: number): JsonSchema {
  const types = new Set(values.map(typeOf));
  const schema: JsonSchema = {};
  const jsonTypes = [...new Set([...types].map((type) => (type === 'date-time' ? 'string' : type)))].sort();
  if (jsonTypes.length > 0) schema.type = jsonTypes.length === 1 ? jsonTypes[0] : jsonTypes;
  if (types.size === 1 && types.has('date-time')) schema.format = 'date-time';
  if (depth >= 6) return schema;
  const objects = values.filter(isPlainObject);
  if (objects.length > 0) {
    const keys = [...new Set(objects.flatMap((object) => Object.keys(object)))].sort();
    schema.properties = Object.fromEntries(
      keys.map((key) => [
        key,
        merge(
          objects.filter((object) => Object.prototype.hasOwnProperty.call(object, key)).map((object) => object[key]),
          depth + 1,
        ),
      ]),
    );
    const required = keys.filter((key) => objects.every((object) => Object.prototype.hasOwnProperty.call(object, key)));
    if (required.length > 0) schema.required = required;
  }
  const arrays = values.filter(Array.isArray) as unknown[][];
  if (arrays.length > 0) schema.items = merge(arrays.flat().slice(0, 200), depth + 1);
  return schema;
}
