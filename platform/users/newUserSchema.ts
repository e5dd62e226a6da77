import { z } from 'zod';
import { ROLES } from './roles';

/** What makes a valid new user: `POST /v1/users` and `user_import` validate with the same schema. */
export const newUserSchema = z.strictObject({ email: z.email().max(320), name: z.string().trim().min(1).max(200), role: z.enum(ROLES) });
export type NewUser = z.infer<typeof newUserSchema>;
