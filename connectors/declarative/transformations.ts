import { toIso } from './expression';
import { type StreamDocument } from './definitionSchema';
import { isPlainObject, pointerTokens, pointerToken, removePointer, resolvePointer, setPointer } from './safeAccess';

type Transformation = StreamDocument['transformations'][number];

/**
 * Applies a stream's transformations, in order, to a copy of the record: rename, drop, add a
 * constant, flatten an object into prefixed top-level fields, cast a field's type.
 */
export function applyTransformations(record: Record<string, unknown>, transformations: readonly Transformation[]): Record<string, unknown> {
  if (transformations.length === 0) return record;
  const data = structuredClone(record);
  for (const step of transformations) {
    switch (step.type) {
      case 'rename': {
        const value = removePointer(data, step.from);
        if (value !== undefined) setPointer(data, step.to, value);
        break;
      }
      case 'drop':
        removePointer(data, step.path);
        break;
      case 'add':
        setPointer(data, step.path, step.value);
        break;
      case 'flatten': {
        const value = resolvePointer(data, step.path);
        if (!isPlainObject(value)) break;
        removePointer(data, step.path);
        const prefix = pointerTokens(step.path).join(step.separator);
        for (const [key, inner] of Object.entries(flattenObject(value, step.separator))) {
          setPointer(data, `/${pointerToken(`${prefix}${step.separator}${key}`)}`, inner);
        }
        break;
      }
      case 'cast': {
        const value = resolvePointer(data, step.path);
        if (value === undefined || value === null) break;
        setPointer(data, step.path, cast(value, step.to));
        break;
      }
    }
  }
  return data;
}

function flattenObject(value: Record<string, unknown>, separator: string, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (isPlainObject(inner) && depth < 8) {
      for (const [innerKey, innerValue] of Object.entries(flattenObject(inner, separator, depth + 1))) out[`${key}${separator}${innerKey}`] = innerValue;
    } else out[key] = inner;
  }
  return out;
}

function cast(value: unknown, to: 'string' | 'number' | 'integer' | 'boolean' | 'datetime'): unknown {
  switch (to) {
    case 'string':
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
    case 'number': {
      const number = Number(value);
      return Number.isFinite(number) ? number : null;
    }
    case 'integer': {
      const number = Number(value);
      return Number.isFinite(number) ? Math.trunc(number) : null;
    }
    case 'boolean':
      return value === true || value === 'true' || value === 1 || value === '1' || value === 'Y' || value === 'yes';
    case 'datetime':
      return toIso(value) ?? null;
  }
}
