import { z } from 'zod';

export const connectionTestSchema = z.object({
  id: z.uuid(),
  status: z.enum(['pending', 'succeeded', 'refused', 'expired']),
  claims: z.record(z.string(), z.unknown()).nullable().describe('What the identity provider sent (ID-token claims or SAML attributes)'),
  identity: z.object({ email: z.string(), name: z.string().optional(), groups: z.array(z.string()).optional(), subject: z.string() }).nullable(),
  code: z.string().nullable().describe('Why it was refused'),
  message: z.string().nullable(),
  expiresAt: z.iso.datetime(),
});

interface TestRow {
  id: string;
  result: {
    outcome: 'succeeded' | 'refused';
    claims?: Record<string, unknown>;
    identity?: z.infer<typeof connectionTestSchema>['identity'];
    code?: string;
    message?: string;
  } | null;
  expires_at: Date;
}

export function toConnectionTestView(row: TestRow): z.infer<typeof connectionTestSchema> {
  const result = row.result;
  const status = result ? result.outcome : new Date(row.expires_at).getTime() < Date.now() ? 'expired' : 'pending';
  return {
    id: row.id,
    status,
    claims: result?.claims ?? null,
    identity: result?.identity ?? null,
    code: result?.code ?? null,
    message: result?.message ?? null,
    expiresAt: new Date(row.expires_at).toISOString(),
  };
}
