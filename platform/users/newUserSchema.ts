import { z } from 'zod';
import { ROLES } from './roles';

/**
 * An e-mail address as the hub checks it: zod's pattern, at most 320 characters. The OpenAPI
 * document states that pattern without `format: email`, which validators read more strictly than
 * the server (a local part of at most 64 characters), so the document says exactly what passes.
 */
export function emailAddress() {
  return z.email().max(320).meta({ format: undefined, description: 'An e-mail address' });
}

/** What makes a valid new user: `POST /v1/users` and `user_import` validate with the same schema. */
export const newUserSchema = z.strictObject({ email: emailAddress(), name: z.string().trim().min(1).max(200), role: z.enum(ROLES) });
export type NewUser = z.infer<typeof newUserSchema>;
