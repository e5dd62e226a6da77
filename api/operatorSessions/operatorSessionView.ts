import { z } from 'zod';

/** An operator session as the API shows it (never its secret). */
export const operatorSessionSchema = z.object({
  id: z.uuid(),
  expiresAt: z.iso.datetime().describe('The session ends then (OPERATOR_SESSION_LIFETIME after sign-in)'),
});
