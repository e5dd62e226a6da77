import { z } from 'zod';
import { ROLES } from '../../auth/roles';

/** An API key as lists show it: never the secret, never the hash. */
export const apiKeySchema = z.object({
  id: z.uuid(),
  name: z.string(),
  /** Public part of the key (`hub_sk_` + 12 chars) to tell keys apart. */
  prefix: z.string(),
  role: z.enum(ROLES),
  scopes: z.array(z.string()).nullable(),
  expiresAt: z.iso.datetime().nullable(),
});

/** The create answer: the only response that carries `key`, the secret. */
export const createdApiKeySchema = apiKeySchema.extend({ key: z.string().startsWith('hub_sk_') });
