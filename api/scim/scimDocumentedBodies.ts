import { z } from 'zod';
import { SCIM_SCHEMAS } from '../../platform/scim/scimSchemaDocuments';

/**
 * SCIM request bodies as the OpenAPI document describes them. The handlers read bodies themselves
 * (attribute names in any case, booleans as "True"/"False", unknown attributes ignored), so these
 * describe what is kept, not everything that is accepted.
 */
export const scimUserBodySchema = z.looseObject({
  schemas: z.array(z.string()).optional(),
  userName: z.string(),
  externalId: z.string().optional(),
  name: z.object({ formatted: z.string().optional(), familyName: z.string().optional(), givenName: z.string().optional() }).optional(),
  displayName: z.string().optional(),
  emails: z.array(z.object({ value: z.string(), type: z.string().optional(), primary: z.boolean().optional() })).optional(),
  active: z.union([z.boolean(), z.enum(['True', 'False', 'true', 'false'])]).optional(),
});

export const scimGroupBodySchema = z.looseObject({
  schemas: z.array(z.string()).optional(),
  displayName: z.string(),
  externalId: z.string().optional(),
  members: z.array(z.object({ value: z.string(), display: z.string().optional() })).optional(),
});

export const scimPatchBodySchema = z.looseObject({
  schemas: z.array(z.literal(SCIM_SCHEMAS.patchOp)).optional(),
  Operations: z.array(z.object({ op: z.string().describe('add, replace or remove (any case)'), path: z.string().optional(), value: z.unknown().optional() })),
});
