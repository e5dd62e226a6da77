import { z } from 'zod';
import { DEFAULT_LOOKBACK_SECONDS, lookbackSecondsField } from '../lookback';

/** Default streams; `config.objects` adds more (any queryable sObject with SystemModstamp). */
export const DEFAULT_OBJECTS = ['Account', 'Contact', 'Opportunity'] as const;

export const salesforceConfigSchema = z.strictObject({
  instanceUrl: z.url().describe('The org instance, e.g. https://acme.my.salesforce.com'),
  apiVersion: z
    .string()
    .regex(/^\d{2}\.0$/, 'an API version such as 62.0')
    .default('62.0'),
  loginUrl: z.url().default('https://login.salesforce.com').describe('OAuth2 token endpoint host (refresh and JWT bearer flows); the JWT audience'),
  objects: z
    .array(z.string().regex(/^[A-Za-z][A-Za-z0-9_]*$/, 'an sObject API name'))
    .max(100)
    .optional()
    .describe('Extra sObjects to offer as streams'),
  upsertExternalIdField: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_]*$/)
    .default('External_Id__c')
    .describe('External id field write() upserts by'),
  cursorLookbackSeconds: lookbackSecondsField(DEFAULT_LOOKBACK_SECONDS.salesforce),
});

export const salesforceCredentialsSchema = z.union([
  z.strictObject({ accessToken: z.string().min(1).describe('A session or OAuth access token') }),
  z.strictObject({
    clientId: z.string().min(1),
    clientSecret: z.string().min(1).optional(),
    refreshToken: z.string().min(1),
    accessToken: z.string().min(1).optional(),
  }),
  z.strictObject({
    clientId: z.string().min(1).describe('Connected app consumer key (JWT iss)'),
    username: z.string().min(1).describe('Integration user (JWT sub)'),
    privateKeyPem: z.string().includes('PRIVATE KEY').describe('PKCS#8 PEM key whose certificate is on the connected app'),
    accessToken: z.string().min(1).optional(),
  }),
]);

export type SalesforceConfig = z.infer<typeof salesforceConfigSchema>;
export type SalesforceCredentials = z.infer<typeof salesforceCredentialsSchema>;
