import { z } from 'zod';
import { DEFAULT_LOOKBACK_SECONDS, lookbackSecondsField } from '../lookback';

/** Intuit's production endpoints (tests point both at the peer). */
export const INTUIT_API_BASE = 'https://quickbooks.api.intuit.com';
export const INTUIT_TOKEN_URL = 'https://oauth.platform.intuit.com/oauth2/v1/tokens/bearer';

export const quickbooksConfigSchema = z.object({
  realmId: z
    .string()
    .regex(/^\d{1,32}$/, 'realmId is the numeric QuickBooks company id')
    .describe('QuickBooks company id (realm id).'),
  baseUrl: z
    .url({ protocol: /^https?$/ })
    .optional()
    .describe(`Accounting API base URL (default ${INTUIT_API_BASE}; https://sandbox-quickbooks.api.intuit.com for sandboxes).`),
  tokenUrl: z
    .url({ protocol: /^https?$/ })
    .optional()
    .describe(`OAuth 2.0 token endpoint (default ${INTUIT_TOKEN_URL}).`),
  minorVersion: z.number().int().positive().optional().describe('API minor version sent with every request (default 75).'),
  cdcLookbackDays: z.number().int().min(1).max(30).optional().describe('A cursor older than this (max 30, the CDC limit) restarts with a full load.'),
  cursorLookbackSeconds: lookbackSecondsField(DEFAULT_LOOKBACK_SECONDS.quickbooks),
});

export const quickbooksCredentialsSchema = z.object({
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  accessToken: z.string().min(1),
  refreshToken: z.string().min(1),
  /** When the access token expires (ISO 8601); refreshed a minute before. Unknown: refreshed on the first 401. */
  accessTokenExpiresAt: z.string().optional(),
  refreshTokenExpiresAt: z.string().optional(),
});

export type QuickBooksConfig = z.infer<typeof quickbooksConfigSchema>;
export type QuickBooksCredentials = z.infer<typeof quickbooksCredentialsSchema>;
