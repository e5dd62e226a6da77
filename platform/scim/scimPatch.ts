import { matchesFilter, parseScimFilter, readAttribute, ScimFilterError, type ScimFilter } from './scimFilter';

/** One attribute of a resource as PATCH sees it. */
export interface PatchAttribute {
  /** The canonical spelling (`displayName`); paths match it case-insensitively. */
  name: string;
  type?: 'string' | 'boolean' | 'complex';
  multiValued?: boolean;
  /** Canonical names of the sub-attributes of a complex attribute. */
  subAttributes?: string[];
  /** Sub-attributes that are booleans (`primary`). */
  booleanSubAttributes?: string[];
  /** Written by the server only: operations on it are ignored. */
  readOnly?: boolean;
  /** A required attribute cannot be removed as a whole (400 mutability). */
  required?: boolean;
}

/** A resource type's attributes and the schema URN its paths may be prefixed with. */
export interface PatchResource {
  schema: string;
  attributes: PatchAttribute[];
}

export interface PatchOperation {
  op: string;
  path?: string;
  value?: unknown;
}

/** A PATCH the hub refuses: the routes answer it as 400 with this scimType. */
export class ScimPatchError extends Error {
  constructor(
    readonly scimType: 'invalidPath' | 'noTarget' | 'invalidValue' | 'invalidSyntax' | 'mutability',
    message: string,
  ) {
    super(message);
  }
}

type Document = Record<string, unknown>;

interface ParsedPath {
  attribute: PatchAttribute;
  filter?: ScimFilter;
  sub?: string;
}

const IGNORED = 'ignored' as const;

/**
 * Applies PATCH operations (RFC 7644 §3.5.2) to a resource's document, in the shapes Okta and
 * Entra ID send: `add`/`replace`/`remove` in any case, with a path (`active`, `name.givenName`,
 * `emails[type eq "work"].value`, `members[value eq "…"]`, optionally prefixed by the schema URN)
 * or without one (a value object whose keys are attributes or paths); booleans also as the strings
 * "True"/"False". Attributes the hub does not keep (the enterprise extension, `title`, …) and
 * read-only ones (`id`, `meta`, `groups`) are ignored rather than refused, as identity providers
 * send them whatever the schema says. Returns a new document; the input is not changed.
 */
export function applyPatch(resource: PatchResource, current: Document, operations: readonly PatchOperation[]): Document {
  const document = structuredClone(current);
  for (const operation of operations) {
    const op = String(operation.op ?? '').toLowerCase();
    if (op !== 'add' && op !== 'replace' && op !== 'remove') throw new ScimPatchError('invalidSyntax', `unknown PATCH op "${String(operation.op)}"`);
    if (operation.path === undefined || operation.path === '') {
      if (op === 'remove') throw new ScimPatchError('noTarget', 'remove needs a path');
      if (typeof operation.value !== 'object' || operation.value === null || Array.isArray(operation.value)) {
        throw new ScimPatchError('invalidValue', `${op} without a path needs an object of attributes as its value`);
      }
      applyValueObject(resource, document, op, operation.value as Document);
      continue;
    }
    if (typeof operation.path !== 'string') throw new ScimPatchError('invalidPath', 'path must be a string');
    const path = parsePath(resource, operation.path);
    if (path === IGNORED) continue;
    if (op === 'remove') remove(document, path, operation.value);
    else set(document, path, op, operation.value);
  }
  return document;
}

function applyValueObject(resource: PatchResource, document: Document, op: 'add' | 'replace', value: Document): void {
  for (const [key, item] of Object.entries(value)) {
    // The core schema's URN as a key holds attributes of its own (`{ "urn:…:User": { "name": … } }`).
    if (key.toLowerCase() === resource.schema.toLowerCase() && typeof item === 'object' && item !== null && !Array.isArray(item)) {
      applyValueObject(resource, document, op, item as Document);
      continue;
    }
    const path = parsePath(resource, key);
    if (path !== IGNORED) set(document, path, op, item);
  }
}

function parsePath(resource: PatchResource, raw: string): ParsedPath | typeof IGNORED {
  let path = raw.trim();
  if (path.toLowerCase().startsWith('urn:')) {
    const prefix = `${resource.schema}:`;
    // Another schema's attribute (the enterprise extension): not kept.
    if (!path.toLowerCase().startsWith(prefix.toLowerCase())) return IGNORED;
    path = path.slice(prefix.length);
  }
  const match = /^([A-Za-z$][\w$-]*)(?:\[(.*)\])?(?:\.([A-Za-z$][\w$-]*))?$/s.exec(path);
  if (!match) throw new ScimPatchError('invalidPath', `cannot read the path "${raw}"`);
  const [, name, filterText, sub] = match;
  if (['schemas', 'id', 'meta'].includes(name!.toLowerCase())) return IGNORED;
  const attribute = resource.attributes.find((candidate) => candidate.name.toLowerCase() === name!.toLowerCase());
  if (!attribute || attribute.readOnly) return IGNORED;
  let filter: ScimFilter | undefined;
  if (filterText !== undefined) {
    if (!attribute.multiValued) throw new ScimPatchError('invalidPath', `${attribute.name} is not multi-valued: it takes no [filter]`);
    try {
      filter = parseScimFilter(filterText);
    } catch (error) {
      if (error instanceof ScimFilterError) throw new ScimPatchError('invalidPath', `the filter in "${raw}": ${error.message}`);
      throw error;
    }
  }
  let canonicalSub: string | undefined;
  if (sub !== undefined) {
    canonicalSub = attribute.subAttributes?.find((candidate) => candidate.toLowerCase() === sub.toLowerCase());
    if (!canonicalSub) return IGNORED;
  }
  return { attribute, filter, sub: canonicalSub };
}

function coerce(attribute: PatchAttribute, sub: string | undefined, value: unknown): unknown {
  const isBoolean = sub ? attribute.booleanSubAttributes?.includes(sub) : attribute.type === 'boolean';
  if (isBoolean && typeof value === 'string') {
    if (value.toLowerCase() === 'true') return true;
    if (value.toLowerCase() === 'false') return false;
    throw new ScimPatchError('invalidValue', `${attribute.name}${sub ? `.${sub}` : ''} must be a boolean`);
  }
  return value;
}

/** A complex value with its keys spelt canonically and its booleans coerced. */
function canonicalElement(attribute: PatchAttribute, value: unknown): unknown {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !attribute.subAttributes) return value;
  const element: Document = {};
  for (const [key, item] of Object.entries(value as Document)) {
    const sub = attribute.subAttributes.find((candidate) => candidate.toLowerCase() === key.toLowerCase());
    if (sub) element[sub] = coerce(attribute, sub, item);
  }
  return element;
}

function sameElement(a: unknown, b: unknown): boolean {
  const left = readAttribute(a, 'value') ?? a;
  const right = readAttribute(b, 'value') ?? b;
  return typeof left === 'string' && typeof right === 'string' ? left.toLowerCase() === right.toLowerCase() : JSON.stringify(left) === JSON.stringify(right);
}

function elementsOf(document: Document, attribute: PatchAttribute): unknown[] {
  const current = document[attribute.name];
  return Array.isArray(current) ? current : [];
}

function set(document: Document, path: ParsedPath, op: 'add' | 'replace', rawValue: unknown): void {
  const { attribute, filter, sub } = path;
  if (attribute.multiValued) {
    const elements = elementsOf(document, attribute);
    if (filter) {
      const matching = elements.filter((element) => matchesFilter(filter, element));
      if (matching.length === 0) {
        // Entra ID replaces `emails[type eq "work"].value` on users who have no work e-mail yet: add it.
        const created: Document = { ...equalitiesOf(filter) };
        if (sub) created[sub] = coerce(attribute, sub, rawValue);
        else Object.assign(created, canonicalElement(attribute, rawValue) as Document);
        document[attribute.name] = [...elements, canonicalElement(attribute, created)];
        return;
      }
      document[attribute.name] = elements.map((element) => {
        if (!matchesFilter(filter, element)) return element;
        if (sub) return { ...(element as Document), [sub]: coerce(attribute, sub, rawValue) };
        return { ...(element as Document), ...(canonicalElement(attribute, rawValue) as Document) };
      });
      return;
    }
    if (sub) {
      document[attribute.name] = elements.map((element) => ({ ...(element as Document), [sub]: coerce(attribute, sub, rawValue) }));
      return;
    }
    const values = (Array.isArray(rawValue) ? rawValue : [rawValue]).map((item) => canonicalElement(attribute, item));
    if (op === 'replace') {
      document[attribute.name] = values;
      return;
    }
    const merged = [...elements];
    for (const value of values) {
      const index = merged.findIndex((element) => sameElement(element, value));
      if (index === -1) merged.push(value);
      else merged[index] = { ...(merged[index] as Document), ...(value as Document) };
    }
    document[attribute.name] = merged;
    return;
  }
  if (attribute.type === 'complex') {
    const existing = (typeof document[attribute.name] === 'object' && document[attribute.name] !== null ? document[attribute.name] : {}) as Document;
    if (sub) {
      document[attribute.name] = { ...existing, [sub]: rawValue };
      return;
    }
    if (typeof rawValue !== 'object' || rawValue === null || Array.isArray(rawValue))
      throw new ScimPatchError('invalidValue', `${attribute.name} takes an object`);
    document[attribute.name] = { ...existing, ...(canonicalElement(attribute, rawValue) as Document) };
    return;
  }
  if (sub) return;
  document[attribute.name] = coerce(attribute, undefined, rawValue);
}

function remove(document: Document, path: ParsedPath, value: unknown): void {
  const { attribute, filter, sub } = path;
  if (attribute.required && !filter && !sub && (value === undefined || value === null)) {
    throw new ScimPatchError('mutability', `${attribute.name} is required: it can be replaced, not removed`);
  }
  if (attribute.multiValued) {
    const elements = elementsOf(document, attribute);
    if (filter) {
      document[attribute.name] = sub
        ? elements.map((element) => {
            if (!matchesFilter(filter, element)) return element;
            const { [sub]: _removed, ...rest } = element as Document;
            return rest;
          })
        : elements.filter((element) => !matchesFilter(filter, element));
      return;
    }
    if (value !== undefined && value !== null) {
      // Entra ID removes members as { op: "Remove", path: "members", value: [{ value: id }] }.
      const removed = Array.isArray(value) ? value : [value];
      document[attribute.name] = elements.filter((element) => !removed.some((item) => sameElement(element, item)));
      return;
    }
    delete document[attribute.name];
    return;
  }
  if (sub) {
    const existing = document[attribute.name];
    if (typeof existing === 'object' && existing !== null) {
      const { [sub]: _removed, ...rest } = existing as Document;
      document[attribute.name] = rest;
    }
    return;
  }
  delete document[attribute.name];
}

/** `type eq "work" and primary eq true` → `{ type: "work", primary: true }`: the element a filtered add creates. */
function equalitiesOf(filter: ScimFilter): Document {
  if (filter.kind === 'compare' && filter.operator === 'eq') return { [filter.path]: filter.value };
  if (filter.kind === 'logical' && filter.operator === 'and') return { ...equalitiesOf(filter.left), ...equalitiesOf(filter.right) };
  return {};
}
