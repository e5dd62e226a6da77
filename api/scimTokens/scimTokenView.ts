import { z } from 'zod';

export interface ScimTokenRow {
  id: string;
  token_hint: string;
  created_by: string | null;
  created_at: Date;
  last_used_at: Date | null;
}

/** The live SCIM token as the API shows it: never the secret, only its last four characters. */
export const scimTokenSchema = z.object({
  id: z.uuid(),
  hint: z.string().describe('the last four characters of the token'),
  createdBy: z.string().nullable(),
  createdAt: z.iso.datetime(),
  lastUsedAt: z.iso.datetime().nullable(),
});

export function toScimTokenView(row: ScimTokenRow): z.infer<typeof scimTokenSchema> {
  return {
    id: row.id,
    hint: row.token_hint,
    createdBy: row.created_by,
    createdAt: new Date(row.created_at).toISOString(),
    lastUsedAt: row.last_used_at ? new Date(row.last_used_at).toISOString() : null,
  };
}

export const SCIM_TOKEN_COLUMNS = ['id', 'token_hint', 'created_by', 'created_at', 'last_used_at'];
