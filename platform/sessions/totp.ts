import { Secret, TOTP } from 'otpauth';

const PERIOD_SECONDS = 30;

function totpFor(secretBase32: string, label = 'user'): TOTP {
  return new TOTP({ issuer: 'Integration Hub', label, algorithm: 'SHA1', digits: 6, period: PERIOD_SECONDS, secret: Secret.fromBase32(secretBase32) });
}

/** A new TOTP secret (160 bits, RFC 6238 SHA-1, 6 digits, 30 s) and the otpauth:// URI authenticator apps scan. */
export function newTotpSecret(label: string): { secret: string; uri: string } {
  const secret = new Secret({ size: 20 }).base32;
  return { secret, uri: totpFor(secret, label).toString() };
}

/**
 * The time step `code` is valid for (the current one or one either side, for clock drift), or
 * undefined. A step at or before `lastStep` is refused: a code works once.
 */
export function acceptedTotpStep(secretBase32: string, code: string, lastStep: number | null, now = Date.now()): number | undefined {
  if (!/^\d{6}$/.test(code)) return undefined;
  const delta = totpFor(secretBase32).validate({ token: code, timestamp: now, window: 1 });
  if (delta === null) return undefined;
  const step = Math.floor(now / 1000 / PERIOD_SECONDS) + delta;
  return lastStep !== null && step <= lastStep ? undefined : step;
}
