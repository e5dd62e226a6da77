import { z } from 'zod';

/**
 * The JSON-merge-patch form of a strict object schema: every field optional and nullable (null
 * removes it), nested objects likewise, still strict (unknown fields refused).
 */
export function mergePatchSchema(schema: z.ZodObject): z.ZodObject {
  const shape: Record<string, z.ZodType> = {};
  for (const [name, field] of Object.entries(schema.shape as Record<string, z.ZodType>)) {
    const inner = field instanceof z.ZodOptional ? (field.unwrap() as z.ZodType) : field;
    shape[name] = (inner instanceof z.ZodObject ? mergePatchSchema(inner) : inner).nullable().optional();
  }
  return z.strictObject(shape);
}

/**
 * A PATCH body that must change something: refuses `{}` with `message`, and says so in the
 * OpenAPI document (`minProperties: 1`).
 */
export function atLeastOneField<T extends z.ZodObject>(schema: T, message: string) {
  return schema.refine((value) => Object.keys(value).length > 0, message).meta({ minProperties: 1 });
}
