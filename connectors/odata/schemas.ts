import { z } from 'zod';
import { DEFAULT_LOOKBACK_SECONDS, lookbackSecondsField } from '../lookback';

export const ODATA_VENDORS = ['sap', 'dynamics', 'oracle', 'generic'] as const;

export const odataConfigSchema = z.object({
  serviceUrl: z
    .url({ protocol: /^https?$/ })
    .describe('OData v4 service root, e.g. https://my-s4.example.com/sap/opu/odata4/sap/api_business_partner/srvd_a2x/sap/businesspartner/0001'),
  entitySets: z
    .array(z.string().regex(/^[A-Za-z_][\w.]*$/, 'an entity set name'))
    .min(1)
    .describe('Entity sets to sync; each becomes a stream.'),
  modifiedField: z
    .string()
    .regex(/^[A-Za-z_]\w*$/)
    .optional()
    .describe(
      'DateTimeOffset property that orders changes (default by vendor: sap LastChangeDateTime, dynamics modifiedon, oracle LastUpdateDate, generic modifiedAt).',
    ),
  deletedField: z
    .string()
    .regex(/^[A-Za-z_]\w*$/)
    .optional()
    .describe(
      'Soft-delete property; a row where it is set (true, a timestamp, a non-empty code) is reported deleted. Without it, deletions are found by a full-refresh sweep.',
    ),
  vendor: z.enum(ODATA_VENDORS).optional().describe('Preset for defaults (modifiedField).'),
  cursorLookbackSeconds: lookbackSecondsField(DEFAULT_LOOKBACK_SECONDS.odata),
});

export const odataCredentialsSchema = z.union([
  z.object({ username: z.string().min(1), password: z.string().min(1) }),
  z.object({ bearerToken: z.string().min(1) }),
]);

export type ODataConfig = z.infer<typeof odataConfigSchema>;
export type ODataCredentials = z.infer<typeof odataCredentialsSchema>;

/** Change-tracking property of each vendor's standard entities. */
const DEFAULT_MODIFIED_FIELD: Record<(typeof ODATA_VENDORS)[number], string> = {
  sap: 'LastChangeDateTime',
  dynamics: 'modifiedon',
  oracle: 'LastUpdateDate',
  generic: 'modifiedAt',
};

export function modifiedFieldOf(config: ODataConfig): string {
  return config.modifiedField ?? DEFAULT_MODIFIED_FIELD[config.vendor ?? 'generic'];
}
