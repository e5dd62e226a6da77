import { z } from 'zod';
import { DEFAULT_LOOKBACK_SECONDS, lookbackSecondsField } from '../lookback';

export const stripeConfigSchema = z.strictObject({
  apiBase: z.url().optional().describe('API base URL (default https://api.stripe.com); tests point it at localstripe'),
  cursorLookbackSeconds: lookbackSecondsField(DEFAULT_LOOKBACK_SECONDS.stripe),
});
export const stripeCredentialsSchema = z.strictObject({
  secretKey: z.string().regex(/^(sk|rk)_(test|live)_[A-Za-z0-9_]+$/, 'a Stripe secret or restricted key (sk_… / rk_…)'),
});
export type StripeConfig = z.infer<typeof stripeConfigSchema>;
export type StripeCredentials = z.infer<typeof stripeCredentialsSchema>;
