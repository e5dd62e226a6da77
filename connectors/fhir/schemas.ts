import { z } from 'zod';
import { DEFAULT_LOOKBACK_SECONDS, lookbackSecondsField } from '../lookback';

export const FHIR_STREAMS = ['Patient', 'Encounter', 'Observation', 'MedicationRequest'] as const;
export type FhirStream = (typeof FHIR_STREAMS)[number];

export const fhirConfigSchema = z.object({
  baseUrl: z.url({ protocol: /^https?$/ }).describe('FHIR R4 base URL, e.g. https://fhir.epic.com/interconnect-fhir-oauth/api/FHIR/R4'),
  vendor: z.enum(['epic', 'cerner', 'generic']).optional().describe('Vendor preset (bulk export level, scopes); default generic.'),
  readMode: z.enum(['search', 'bulk']).optional().describe('search: REST search paging by _lastUpdated (default); bulk: Bulk Data $export with _since.'),
  groupId: z
    .string()
    .regex(/^[A-Za-z0-9\-.]{1,64}$/)
    .optional()
    .describe('Group for Group-level $export (required by the epic and cerner presets).'),
  scope: z.string().optional().describe('OAuth scopes requested with SMART Backend Services (default system/<Type>.read for every stream).'),
  exportPollTimeoutSeconds: z
    .number()
    .int()
    .min(1)
    .max(3600)
    .optional()
    .describe('How long one read waits for an export before handing back its cursor (default 300).'),
  cursorLookbackSeconds: lookbackSecondsField(DEFAULT_LOOKBACK_SECONDS.fhir),
});

export const fhirCredentialsSchema = z.union([
  z.object({ bearerToken: z.string().min(1) }),
  z.object({
    clientId: z.string().min(1),
    privateKeyPem: z.string().includes('PRIVATE KEY', { message: 'a PEM-encoded PKCS#8 private key (RSA for RS384, EC P-384 for ES384)' }),
    tokenUrl: z.url({ protocol: /^https?$/ }).optional(),
    keyId: z.string().optional(),
  }),
]);

export type FhirConfig = z.infer<typeof fhirConfigSchema>;
export type FhirCredentials = z.infer<typeof fhirCredentialsSchema>;
export type SmartCredentials = Extract<FhirCredentials, { clientId: string }>;
