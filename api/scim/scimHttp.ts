import { z } from 'zod';
import { isUniqueViolation } from '../../platform/db';
import { parseScimFilter, ScimFilterError, type ScimFilter } from '../../platform/scim/scimFilter';
import { ScimPatchError, type PatchOperation } from '../../platform/scim/scimPatch';
import { SCIM_MAX_RESULTS, SCIM_SCHEMAS } from '../../platform/scim/scimSchemaDocuments';
import { ScimInputError } from '../../platform/scim/scimUserDocument';
import { type JsonResult, type ResponseSpec } from '../http/route';
import { ScimError, scimErrors, scimErrorSchema } from './scimError';

export const SCIM_CONTENT_TYPE = 'application/scim+json';

/** A SCIM answer: the body as application/scim+json. */
export function scimResult(status: number, body: unknown, headers: Record<string, string> = {}): JsonResult {
  return { status, body, headers: { 'Content-Type': SCIM_CONTENT_TYPE, ...headers } };
}

/** The loose shape every SCIM resource and message has (the attributes are in the Schemas endpoint). */
export const scimResourceSchema = z.looseObject({ schemas: z.array(z.string()), id: z.string().optional() });
export const scimListSchema = z.looseObject({
  schemas: z.array(z.literal(SCIM_SCHEMAS.listResponse)),
  totalResults: z.number().int(),
  startIndex: z.number().int(),
  itemsPerPage: z.number().int(),
  Resources: z.array(z.looseObject({})),
});

export function scimResponse(description: string, schema: z.ZodType = scimResourceSchema): ResponseSpec {
  return { description, schema, contentType: SCIM_CONTENT_TYPE };
}
export function scimErrorResponse(description: string): ResponseSpec {
  return { description, schema: scimErrorSchema, contentType: SCIM_CONTENT_TYPE };
}

/** Any JSON object: SCIM bodies are read case-insensitively by the handlers, which answer SCIM's 400s. */
export const scimBodySchema = z.record(z.string(), z.unknown());

export const scimIdParams = z.strictObject({ id: z.string().min(1).max(200) });

/** The query of a list (RFC 7644 §3.4.2). */
export const scimListQuery = z.object({
  filter: z.string().max(2000).optional().describe('e.g. userName eq "ada@example.com"'),
  startIndex: z
    .string()
    .regex(/^-?\d{1,9}$/)
    .optional()
    .describe('1-based index of the first result'),
  count: z
    .string()
    .regex(/^-?\d{1,9}$/)
    .optional()
    .describe(`page size (at most ${SCIM_MAX_RESULTS})`),
  attributes: z.string().max(1000).optional(),
  excludedAttributes: z.string().max(1000).optional(),
  sortBy: z.string().max(200).optional().describe('accepted, not supported (results are in creation order)'),
  sortOrder: z.string().max(20).optional(),
});
export const scimGetQuery = scimListQuery.pick({ attributes: true, excludedAttributes: true });

export interface ListWindow {
  filter?: ScimFilter;
  startIndex: number;
  count: number;
}

export function readListWindow(query: z.infer<typeof scimListQuery>): ListWindow {
  const startIndex = Math.max(1, query.startIndex === undefined ? 1 : Number(query.startIndex));
  const count = Math.min(SCIM_MAX_RESULTS, Math.max(0, query.count === undefined ? 100 : Number(query.count)));
  let filter: ScimFilter | undefined;
  if (query.filter !== undefined && query.filter.trim() !== '') {
    try {
      filter = parseScimFilter(query.filter);
    } catch (error) {
      if (error instanceof ScimFilterError) throw scimErrors.invalidFilter(`filter: ${error.message}`);
      throw error;
    }
  }
  return { filter, startIndex, count };
}

export function listResponse(resources: unknown[], totalResults: number, startIndex: number): Record<string, unknown> {
  return { schemas: [SCIM_SCHEMAS.listResponse], totalResults, startIndex, itemsPerPage: resources.length, Resources: resources };
}

function namesOf(list: string | undefined): string[] {
  if (!list) return [];
  return list
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean)
    .map((name) => {
      // A schema-qualified name (`urn:…:User:userName`) names the attribute after the schema.
      const lower = name.toLowerCase();
      return lower.startsWith('urn:') ? name.slice(lower.lastIndexOf(':') + 1) : name;
    });
}

const ALWAYS_RETURNED = new Set(['schemas', 'id']);

/** Applies `attributes` / `excludedAttributes` (RFC 7644 §3.4.2.5) to a rendered resource. */
export function projectResource(resource: Record<string, unknown>, query: { attributes?: string; excludedAttributes?: string }): Record<string, unknown> {
  const included = namesOf(query.attributes);
  if (included.length > 0) {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(resource)) {
      if (ALWAYS_RETURNED.has(key)) {
        out[key] = value;
        continue;
      }
      const wanted = included.filter((name) => name.split('.')[0]!.toLowerCase() === key.toLowerCase());
      if (wanted.length === 0) continue;
      const subs = wanted.map((name) => name.split('.')[1]).filter((sub): sub is string => Boolean(sub));
      out[key] = subs.length === 0 || wanted.some((name) => !name.includes('.')) ? value : pickSubs(value, subs);
    }
    return out;
  }
  const excluded = namesOf(query.excludedAttributes);
  if (excluded.length === 0) return resource;
  const out: Record<string, unknown> = { ...resource };
  for (const name of excluded) {
    const [top, sub] = name.split('.');
    const key = Object.keys(out).find((candidate) => candidate.toLowerCase() === top!.toLowerCase());
    if (!key || ALWAYS_RETURNED.has(key)) continue;
    if (sub) out[key] = dropSub(out[key], sub);
    else delete out[key];
  }
  return out;
}

function pickSubs(value: unknown, subs: string[]): unknown {
  const pick = (item: unknown) =>
    typeof item === 'object' && item !== null
      ? Object.fromEntries(Object.entries(item).filter(([key]) => subs.some((sub) => sub.toLowerCase() === key.toLowerCase())))
      : item;
  return Array.isArray(value) ? value.map(pick) : pick(value);
}

function dropSub(value: unknown, sub: string): unknown {
  const drop = (item: unknown) =>
    typeof item === 'object' && item !== null ? Object.fromEntries(Object.entries(item).filter(([key]) => key.toLowerCase() !== sub.toLowerCase())) : item;
  return Array.isArray(value) ? value.map(drop) : drop(value);
}

/** The operations of a PatchOp body (RFC 7644 §3.5.2); `Operations` spelt in any case. */
export function readPatchOperations(body: Record<string, unknown>): PatchOperation[] {
  const key = Object.keys(body).find((candidate) => candidate.toLowerCase() === 'operations');
  const operations = key === undefined ? undefined : body[key];
  if (!Array.isArray(operations) || operations.length === 0) throw scimErrors.invalidSyntax('A PatchOp needs a non-empty Operations array');
  if (operations.length > 1000) throw scimErrors.invalidSyntax('At most 1000 operations per PATCH');
  return operations.map((operation, index) => {
    if (typeof operation !== 'object' || operation === null) throw scimErrors.invalidSyntax(`Operations[${index}] must be an object`);
    const entry = operation as Record<string, unknown>;
    const read = (name: string) => entry[Object.keys(entry).find((candidate) => candidate.toLowerCase() === name) ?? ''];
    const path = read('path');
    if (path !== undefined && typeof path !== 'string') throw scimErrors.invalidPath(`Operations[${index}].path must be a string`);
    return { op: String(read('op') ?? ''), path, value: read('value') };
  });
}

/**
 * Runs a SCIM change and answers what went wrong in SCIM's words: a body the hub cannot read
 * (400 invalidValue), a PATCH it cannot apply (400 with the PATCH's scimType), and a race on a
 * unique name (409 uniqueness).
 */
export async function scimChange<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ScimError) throw error;
    if (error instanceof ScimInputError) throw scimErrors.invalidValue(error.message);
    if (error instanceof ScimPatchError) throw new ScimError(400, error.scimType, error.message);
    if (isUniqueViolation(error)) throw scimErrors.uniqueness('Another resource has this unique value');
    throw error;
  }
}
