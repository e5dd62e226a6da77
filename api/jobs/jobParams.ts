import { z } from 'zod';

/** `:id` of a job route. A malformed id is simply not found (404), like another tenant's job. */
export const jobIdParams = z.strictObject({ id: z.string() });
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
