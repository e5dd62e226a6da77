/**
 * What the hub's SCIM service publishes about itself (RFC 7643 §5–7): the attributes it keeps for
 * Users and Groups, the two resource types, and the features it supports. Identity providers and
 * checkers read these to know what to send; the attribute list is exactly what the hub stores and
 * returns (anything else a provider sends is ignored).
 */
export const SCIM_SCHEMAS = {
  user: 'urn:ietf:params:scim:schemas:core:2.0:User',
  group: 'urn:ietf:params:scim:schemas:core:2.0:Group',
  enterpriseUser: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User',
  listResponse: 'urn:ietf:params:scim:api:messages:2.0:ListResponse',
  patchOp: 'urn:ietf:params:scim:api:messages:2.0:PatchOp',
  serviceProviderConfig: 'urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig',
  resourceType: 'urn:ietf:params:scim:schemas:core:2.0:ResourceType',
  schema: 'urn:ietf:params:scim:schemas:core:2.0:Schema',
} as const;

/** The largest page a list answers (ServiceProviderConfig `filter.maxResults`). */
export const SCIM_MAX_RESULTS = 200;

type Attribute = Record<string, unknown>;

function attribute(name: string, fields: Partial<Attribute> = {}): Attribute {
  return {
    name,
    type: 'string',
    multiValued: false,
    description: '',
    required: false,
    caseExact: false,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none',
    ...fields,
  };
}

const userAttributes: Attribute[] = [
  attribute('userName', {
    description: 'Unique identifier of the person at the identity provider (often the sign-in e-mail)',
    required: true,
    uniqueness: 'server',
  }),
  attribute('name', {
    type: 'complex',
    description: 'The parts of the person’s name',
    subAttributes: [
      attribute('formatted', { description: 'The full name' }),
      attribute('familyName', { description: 'Family name' }),
      attribute('givenName', { description: 'Given name' }),
    ],
  }),
  attribute('displayName', { description: 'The name shown in the console' }),
  attribute('emails', {
    type: 'complex',
    multiValued: true,
    // The hub knows people by e-mail (sign-in, invites): a user needs one.
    required: true,
    description: 'E-mail addresses; the primary one (else the first) is the hub user’s e-mail',
    subAttributes: [
      attribute('value', { description: 'The address', required: true }),
      attribute('type', { description: 'work, home or other', canonicalValues: ['work', 'home', 'other'] }),
      attribute('primary', { type: 'boolean', description: 'The preferred address' }),
    ],
  }),
  attribute('active', {
    type: 'boolean',
    required: true,
    description: 'false suspends the hub user (frees the seat, ends the console sessions); a create without it means true',
  }),
  attribute('groups', {
    type: 'complex',
    multiValued: true,
    mutability: 'readOnly',
    description: 'The groups the person belongs to (changed through Groups)',
    subAttributes: [
      attribute('value', { mutability: 'readOnly', description: 'The group’s id' }),
      attribute('$ref', { type: 'reference', referenceTypes: ['Group'], mutability: 'readOnly', description: 'The group’s URI' }),
      attribute('display', { mutability: 'readOnly', description: 'The group’s displayName' }),
    ],
  }),
];

const groupAttributes: Attribute[] = [
  attribute('displayName', { description: 'The group’s name; group → role mappings match it case-insensitively', required: true, uniqueness: 'server' }),
  attribute('members', {
    type: 'complex',
    multiValued: true,
    description: 'The users in the group',
    subAttributes: [
      attribute('value', { mutability: 'immutable', description: 'The user’s id' }),
      attribute('$ref', { type: 'reference', referenceTypes: ['User'], mutability: 'immutable', description: 'The user’s URI' }),
      attribute('type', { mutability: 'immutable', description: 'Always User (groups do not nest)', canonicalValues: ['User'] }),
    ],
  }),
];

function schemaDocument(id: string, name: string, description: string, attributes: Attribute[], baseUrl: string): Record<string, unknown> {
  return { schemas: [SCIM_SCHEMAS.schema], id, name, description, attributes, meta: { resourceType: 'Schema', location: `${baseUrl}/Schemas/${id}` } };
}

/** The Schemas endpoint's documents. */
export function schemaDocuments(baseUrl: string): Array<Record<string, unknown>> {
  return [
    schemaDocument(SCIM_SCHEMAS.user, 'User', 'A person with access to the tenant’s console', userAttributes, baseUrl),
    schemaDocument(SCIM_SCHEMAS.group, 'Group', 'A group of users; its name maps to a hub role', groupAttributes, baseUrl),
  ];
}

/** The ResourceTypes endpoint's documents. */
export function resourceTypeDocuments(baseUrl: string): Array<Record<string, unknown>> {
  return [
    {
      schemas: [SCIM_SCHEMAS.resourceType],
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      description: 'Hub users',
      schema: SCIM_SCHEMAS.user,
      meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/User` },
    },
    {
      schemas: [SCIM_SCHEMAS.resourceType],
      id: 'Group',
      name: 'Group',
      endpoint: '/Groups',
      description: 'Groups of hub users',
      schema: SCIM_SCHEMAS.group,
      meta: { resourceType: 'ResourceType', location: `${baseUrl}/ResourceTypes/Group` },
    },
  ];
}

/** The ServiceProviderConfig document. */
export function serviceProviderConfigDocument(baseUrl: string, docsUrl: string): Record<string, unknown> {
  return {
    schemas: [SCIM_SCHEMAS.serviceProviderConfig],
    documentationUri: docsUrl,
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: SCIM_MAX_RESULTS },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: false },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'SCIM token',
        description: 'The tenant’s SCIM token (created in the console under Provisioning), sent as Authorization: Bearer',
        primary: true,
      },
    ],
    meta: { resourceType: 'ServiceProviderConfig', location: `${baseUrl}/ServiceProviderConfig` },
  };
}
