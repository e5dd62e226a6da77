import { z } from 'zod';
import { isCidr } from '../../platform/network/addressPolicy';
import { type NetworkAllowance } from '../../platform/network/tenantAllowances';
import { nonBlankText } from '../http/textFields';

/** A private range granted to one tenant, as the admin API shows it. */
export const networkAllowanceSchema = z.object({
  cidr: z.string().describe('Normalised network/prefix, e.g. 10.20.0.0/16'),
  note: z.string().nullable(),
  createdAt: z.iso.datetime(),
});

export const networkAllowancesResponse = z.object({ data: z.array(networkAllowanceSchema) });

/** What PUT takes: the complete set of ranges (replacing the previous one). */
export const networkAllowancesBody = z.strictObject({
  allowances: z
    .array(
      z.strictObject({
        cidr: z
          .string()
          .trim()
          .max(64)
          .refine(isCidr, 'must be a CIDR such as 10.20.0.0/16 or fd00:1234::/32')
          .describe('A private range, at least /8; never link-local (169.254.0.0/16, fe80::/10); loopback only outside production'),
        note: nonBlankText(200).optional().describe('Why the tenant may reach it (e.g. "ERP over the site-to-site VPN")'),
      }),
    )
    .max(50),
});

export const tenantIdParams = z.strictObject({ id: z.uuid() });

export function toNetworkAllowanceView(allowance: NetworkAllowance): z.infer<typeof networkAllowanceSchema> {
  return { cidr: allowance.cidr, note: allowance.note, createdAt: allowance.createdAt.toISOString() };
}
