import { z } from 'zod';
import { verificationRecord } from '../../platform/identity/domains';

export interface IdentityDomainRow {
  id: string;
  tenant_id: string;
  domain: string;
  verification_token: string;
  verified_at: Date | null;
  verified_by: 'dns' | 'platform_admin' | null;
  last_checked_at: Date | null;
  last_check_error: string | null;
  created_at: Date;
}

export const identityDomainSchema = z.object({
  id: z.uuid(),
  domain: z.string(),
  status: z.enum(['pending', 'verified']),
  verifiedAt: z.iso.datetime().nullable(),
  verifiedBy: z.enum(['dns', 'platform_admin']).nullable(),
  verificationRecord: z.object({ name: z.string(), type: z.literal('TXT'), value: z.string() }).describe('Publish this TXT record, then ask to verify'),
  lastCheckedAt: z.iso.datetime().nullable(),
  lastCheckError: z.string().nullable().describe('Why the last check did not verify the domain'),
  createdAt: z.iso.datetime(),
});
export type IdentityDomainView = z.infer<typeof identityDomainSchema>;

const iso = (value: Date | null) => (value ? new Date(value).toISOString() : null);

export function toIdentityDomainView(row: IdentityDomainRow): IdentityDomainView {
  return {
    id: row.id,
    domain: row.domain,
    status: row.verified_at ? 'verified' : 'pending',
    verifiedAt: iso(row.verified_at),
    verifiedBy: row.verified_by,
    verificationRecord: verificationRecord(row.domain, row.verification_token),
    lastCheckedAt: iso(row.last_checked_at),
    lastCheckError: row.last_check_error,
    createdAt: new Date(row.created_at).toISOString(),
  };
}

export const domainIdParams = z.strictObject({ id: z.uuid() });
