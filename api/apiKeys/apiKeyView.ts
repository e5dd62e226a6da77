import { z } from 'zod';
import { ROLES } from '../auth/roles';

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

/** A key with its lifecycle, as the key routes show it. */
export const apiKeyDetailSchema = apiKeySchema.extend({
  status: z.enum(['active', 'revoked', 'expired']),
  createdBy: z.string().nullable(),
  createdAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime().nullable(),
  revokedAt: z.iso.datetime().nullable(),
});
export type ApiKeyDetail = z.infer<typeof apiKeyDetailSchema>;

/** The answer of the key-creating routes: the key's detail plus its secret, shown here only. */
export const createdApiKeyResponse = z.object({ apiKey: apiKeyDetailSchema.extend({ key: z.string().startsWith('hub_sk_') }) });

/** Columns the key routes select: never `key_hash`. */
export const API_KEY_COLUMNS = ['id', 'name', 'key_prefix', 'role', 'scopes', 'expires_at', 'revoked_at', 'last_used_at', 'created_by', 'created_at'] as const;

export interface ApiKeyRow {
  id: string;
  name: string;
  key_prefix: string;
  role: ApiKeyDetail['role'];
  scopes: string[] | null;
  expires_at: Date | null;
  revoked_at: Date | null;
  last_used_at: Date | null;
  created_by: string | null;
  created_at: Date;
}

export function toApiKeyView(row: ApiKeyRow, now = Date.now()): ApiKeyDetail {
  const iso = (value: Date | null) => (value ? new Date(value).toISOString() : null);
  return {
    id: row.id,
    name: row.name,
    prefix: row.key_prefix,
    role: row.role,
    scopes: row.scopes,
    expiresAt: iso(row.expires_at),
    status: row.revoked_at ? 'revoked' : row.expires_at && new Date(row.expires_at).getTime() <= now ? 'expired' : 'active',
    createdBy: row.created_by,
    createdAt: new Date(row.created_at).toISOString(),
    lastUsedAt: iso(row.last_used_at),
    revokedAt: iso(row.revoked_at),
  };
}

export const apiKeyIdParams = z.strictObject({ id: z.uuid() });
