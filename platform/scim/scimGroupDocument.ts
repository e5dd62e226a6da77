import { type PatchResource } from './scimPatch';
import { SCIM_SCHEMAS } from './scimSchemaDocuments';
import { ScimInputError } from './scimUserDocument';

/** The Group attributes PATCH may change. */
export const GROUP_PATCH_RESOURCE: PatchResource = {
  schema: SCIM_SCHEMAS.group,
  attributes: [
    { name: 'displayName', required: true },
    { name: 'externalId' },
    { name: 'members', type: 'complex', multiValued: true, subAttributes: ['value', '$ref', 'type'] },
  ],
};

export interface ScimGroupInput {
  displayName: string;
  externalId: string | null;
  /** User ids. */
  members: string[];
}

const MAX_MEMBERS = 10_000;

function field(body: Record<string, unknown>, name: string): unknown {
  const key = Object.keys(body).find((candidate) => candidate.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : body[key];
}

/** Reads a Group body (POST, PUT, or the document a PATCH produced); members are user ids. */
export function readGroupInput(body: unknown): ScimGroupInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ScimInputError('the body must be a Group object');
  const source = body as Record<string, unknown>;
  const displayName = field(source, 'displayName');
  if (typeof displayName !== 'string' || displayName.trim() === '') throw new ScimInputError('displayName is required');
  if (displayName.length > 256) throw new ScimInputError('displayName is longer than 256 characters');
  const externalId = field(source, 'externalId');
  if (externalId !== undefined && externalId !== null && typeof externalId !== 'string') throw new ScimInputError('externalId must be a string');
  const rawMembers = field(source, 'members') ?? [];
  if (!Array.isArray(rawMembers)) throw new ScimInputError('members must be an array');
  if (rawMembers.length > MAX_MEMBERS) throw new ScimInputError(`members has more than ${MAX_MEMBERS} entries`);
  const members = rawMembers.map((member, index) => {
    const value = typeof member === 'object' && member !== null ? field(member as Record<string, unknown>, 'value') : undefined;
    if (typeof value !== 'string' || value === '') throw new ScimInputError(`members[${index}].value must be a user id`);
    return value;
  });
  return { displayName: displayName.trim(), externalId: externalId || null, members: [...new Set(members)] } as ScimGroupInput;
}
