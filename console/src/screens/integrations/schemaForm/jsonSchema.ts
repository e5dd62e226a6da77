/**
 * The subset of JSON Schema (draft 2020-12) the connector types publish for their config and
 * credentials, as far as the form renderer reads it. The API answers these schemas as open
 * records, so this is the renderer's own view of them, not a request type.
 */
export interface JsonSchema {
  type?: string | string[];
  title?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  format?: string;
  pattern?: string;
  minLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
}

/** A form's values: one entry per property, nested objects as nested records. */
export type FormValues = Record<string, unknown>;

/** Errors by field path (`instanceUrl`, `auth.clientId`), from the API's 400 details or the form's own checks. */
export type FieldErrors = Record<string, string>;

export function asSchema(value: unknown): JsonSchema {
  return value && typeof value === 'object' ? (value as JsonSchema) : {};
}

export function typeOf(schema: JsonSchema): string | undefined {
  return Array.isArray(schema.type) ? schema.type.find((type) => type !== 'null') : schema.type;
}

/** The alternatives of a schema that is one of several shapes (Salesforce: token, refresh token or JWT). */
export function variantsOf(schema: JsonSchema): JsonSchema[] | undefined {
  const variants = schema.anyOf ?? schema.oneOf;
  return variants && variants.length > 0 && variants.every((variant) => typeOf(variant) === 'object') ? variants : undefined;
}

/** "instanceUrl" → "Instance URL", "privateKeyPem" → "Private key PEM". */
export function labelOf(name: string, schema: JsonSchema): string {
  if (schema.title) return schema.title;
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .split(' ')
    .filter(Boolean)
    .map((word) => (/^(url|id|api|pem|cdc|oauth|jwt|sap)$/i.test(word) ? word.toUpperCase() : word.toLowerCase()));
  const label = words.join(' ');
  return label.charAt(0).toUpperCase() + label.slice(1);
}

/** A name for one alternative: its title, or the fields it requires ("Client ID + refresh token"). */
export function variantLabel(variant: JsonSchema, index: number): string {
  if (variant.title) return variant.title;
  const required = variant.required ?? Object.keys(variant.properties ?? {});
  if (required.length === 0) return `Option ${index + 1}`;
  return required.map((name, position) => (position === 0 ? labelOf(name, {}) : labelOf(name, {}).toLowerCase())).join(' + ');
}

/** Which alternative `values` already fits best (its required fields are present), for editing. */
export function bestVariant(variants: JsonSchema[], values: FormValues): number {
  const present = (name: string) => values[name] !== undefined && values[name] !== '';
  const index = variants.findIndex((variant) => (variant.required ?? []).every(present) && (variant.required ?? []).length > 0);
  return index === -1 ? 0 : index;
}

/** The key under which a form remembers which alternative the user chose (never sent). */
export const VARIANT_KEY = '__variant';

/** The alternative the user chose, or the one the values fit. */
export function chosenVariant(variants: JsonSchema[], values: FormValues): number {
  const chosen = values[VARIANT_KEY];
  return typeof chosen === 'number' && chosen >= 0 && chosen < variants.length ? chosen : bestVariant(variants, values);
}

/** The object schema that applies to `values`: the schema itself, or the chosen alternative of it. */
export function effectiveSchema(schema: JsonSchema, values: FormValues): JsonSchema {
  const variants = variantsOf(schema);
  return variants ? variants[chosenVariant(variants, values)]! : schema;
}

/** The values a new form starts from: each property's default, nested objects filled in the same way. */
export function initialValues(schema: JsonSchema): FormValues {
  const values: FormValues = {};
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    if (property.default !== undefined) values[name] = property.default;
    else if (typeOf(property) === 'object' && property.properties) values[name] = initialValues(property);
  }
  return values;
}

/** A field holds a secret when its schema says so or its name does (the credentials section marks every string secret). */
export function isSecretName(name: string): boolean {
  return /password|secret|token|apikey|api_key|privatekey/i.test(name);
}

/**
 * The values to send: empty strings, empty lists and empty nested objects left out (the API
 * applies its defaults), numbers typed in as text turned into numbers.
 */
export function valuesToSend(schema: JsonSchema, values: FormValues): FormValues {
  const properties = effectiveSchema(schema, values).properties ?? {};
  const out: FormValues = {};
  for (const [name, value] of Object.entries(values)) {
    const property = properties[name] ?? {};
    if (name === VARIANT_KEY || value === undefined || value === null || value === '') continue;
    if (Array.isArray(value) && value.length === 0) continue;
    if (typeOf(property) === 'object' && value && typeof value === 'object' && !Array.isArray(value)) {
      const nested = valuesToSend(property, value as FormValues);
      if (Object.keys(nested).length > 0) out[name] = nested;
      continue;
    }
    out[name] = value;
  }
  return out;
}

/** Required fields left empty, by path: checked before the call so the obvious gaps show at once. */
export function missingRequired(schema: JsonSchema, values: FormValues, prefix = ''): FieldErrors {
  const variants = variantsOf(schema);
  if (variants) return missingRequired(variants[chosenVariant(variants, values)]!, values, prefix);
  const errors: FieldErrors = {};
  for (const name of schema.required ?? []) {
    const value = values[name];
    if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) errors[`${prefix}${name}`] = 'Required';
  }
  for (const [name, property] of Object.entries(schema.properties ?? {})) {
    const value = values[name];
    if (typeOf(property) === 'object' && value && typeof value === 'object' && !Array.isArray(value)) {
      Object.assign(errors, missingRequired(property, value as FormValues, `${prefix}${name}.`));
    }
  }
  return errors;
}
