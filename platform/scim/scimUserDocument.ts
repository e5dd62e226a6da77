import { type PatchResource } from './scimPatch';
import { SCIM_SCHEMAS } from './scimSchemaDocuments';

/** The User attributes PATCH may change (as published by the Schemas endpoint). */
export const USER_PATCH_RESOURCE: PatchResource = {
  schema: SCIM_SCHEMAS.user,
  attributes: [
    { name: 'userName', required: true },
    { name: 'externalId' },
    { name: 'name', type: 'complex', subAttributes: ['formatted', 'familyName', 'givenName'] },
    { name: 'displayName' },
    { name: 'emails', type: 'complex', multiValued: true, subAttributes: ['value', 'type', 'primary'], booleanSubAttributes: ['primary'] },
    { name: 'active', type: 'boolean', required: true },
    { name: 'groups', multiValued: true, readOnly: true },
  ],
};

export interface ScimEmail {
  value: string;
  type?: string;
  primary?: boolean;
}

/** A User as the hub keeps it, after reading what the identity provider sent. */
export interface ScimUserInput {
  userName: string;
  externalId: string | null;
  name?: { formatted?: string; familyName?: string; givenName?: string };
  displayName?: string;
  emails: ScimEmail[];
  active: boolean;
}

/** What a problem in a User body is, for a 400 invalidValue. */
export class ScimInputError extends Error {}

const MAX_TEXT = 1000;

function optionalText(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new ScimInputError(`${field} must be a string`);
  if (value.length > MAX_TEXT) throw new ScimInputError(`${field} is longer than ${MAX_TEXT} characters`);
  return value;
}

function booleanOf(value: unknown, field: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  // Entra ID sends "True"/"False".
  if (typeof value === 'string' && ['true', 'false'].includes(value.toLowerCase())) return value.toLowerCase() === 'true';
  throw new ScimInputError(`${field} must be a boolean`);
}

function field(body: Record<string, unknown>, name: string): unknown {
  const key = Object.keys(body).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : body[key];
}

/**
 * Reads a User body (POST, PUT, or the document a PATCH produced): attribute names in any case,
 * `active` as a boolean or "True"/"False", absent `active` meaning active. Attributes the hub does
 * not keep are ignored.
 */
export function readUserInput(body: unknown): ScimUserInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ScimInputError('the body must be a User object');
  const source = body as Record<string, unknown>;
  const userName = optionalText(field(source, 'userName'), 'userName')?.trim();
  if (!userName) throw new ScimInputError('userName is required');
  const externalId = optionalText(field(source, 'externalId'), 'externalId') ?? null;
  const rawName = field(source, 'name');
  let name: ScimUserInput['name'];
  if (rawName !== undefined && rawName !== null) {
    if (typeof rawName !== 'object' || Array.isArray(rawName)) throw new ScimInputError('name must be an object');
    const parts = rawName as Record<string, unknown>;
    name = {};
    for (const part of ['formatted', 'familyName', 'givenName'] as const) {
      const value = optionalText(field(parts, part), `name.${part}`);
      if (value !== undefined) name[part] = value;
    }
    if (Object.keys(name).length === 0) name = undefined;
  }
  const displayName = optionalText(field(source, 'displayName'), 'displayName');
  const rawEmails = field(source, 'emails');
  const emails: ScimEmail[] = [];
  if (rawEmails !== undefined && rawEmails !== null) {
    if (!Array.isArray(rawEmails)) throw new ScimInputError('emails must be an array');
    if (rawEmails.length > 20) throw new ScimInputError('emails has more than 20 entries');
    for (const [index, raw] of rawEmails.entries()) {
      if (typeof raw !== 'object' || raw === null) throw new ScimInputError(`emails[${index}] must be an object`);
      const entry = raw as Record<string, unknown>;
      const value = optionalText(field(entry, 'value'), `emails[${index}].value`);
      if (!value) continue;
      const email: ScimEmail = { value };
      const type = optionalText(field(entry, 'type'), `emails[${index}].type`);
      if (type) email.type = type;
      const primary = booleanOf(field(entry, 'primary'), `emails[${index}].primary`);
      if (primary !== undefined) email.primary = primary;
      emails.push(email);
    }
  }
  const active = booleanOf(field(source, 'active'), 'active') ?? true;
  return { userName, externalId, ...(name ? { name } : {}), ...(displayName ? { displayName } : {}), emails, active };
}

/** The hub user's e-mail: the primary address, else the first, else a userName that is an address. */
export function hubEmailOf(input: ScimUserInput): string | undefined {
  const chosen = input.emails.find((email) => email.primary)?.value ?? input.emails[0]?.value ?? (input.userName.includes('@') ? input.userName : undefined);
  return chosen?.trim().toLowerCase();
}

/** The hub user's name: displayName, else the formatted or composed name, else the userName. */
export function hubNameOf(input: ScimUserInput): string {
  const composed = [input.name?.givenName, input.name?.familyName].filter(Boolean).join(' ');
  return (input.displayName || input.name?.formatted || composed || input.userName).slice(0, 200);
}
