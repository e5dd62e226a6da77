import { hash, verify } from '@node-rs/argon2';
import { z } from 'zod';

/** A password a user sets: long enough to resist guessing, short enough to hash cheaply. */
export const newPasswordSchema = z.string().min(12, 'must be at least 12 characters').max(256).describe('The new password (12–256 characters)');

/** argon2id (the library's default algorithm) with its default cost: 19 MiB, 2 passes. Answers a PHC string. */
export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

// Verified against when the e-mail is unknown, so a miss costs as long as a wrong password.
let decoy: Promise<string> | undefined;

/** Whether `password` matches `stored`; with no stored hash it still spends one verification and answers false. */
export async function verifyPassword(stored: string | undefined, password: string): Promise<boolean> {
  if (!stored) {
    decoy ??= hashPassword('decoy password that matches nothing');
    await verify(await decoy, password).catch(() => false);
    return false;
  }
  return verify(stored, password).catch(() => false);
}
