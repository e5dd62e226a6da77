import { Secret, TOTP } from 'otpauth';
import { hashRecoveryCode, newRecoveryCodes } from '../../platform/sessions/recoveryCodes';
import { acceptedTotpStep, newTotpSecret } from '../../platform/sessions/totp';

describe('TOTP and recovery codes', () => {
  const { secret, uri } = newTotpSecret('acme:jane@acme.test');
  const codeAt = (at: number) => new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: at });
  const now = Date.UTC(2026, 11, 1, 12, 0, 10);
  const step = Math.floor(now / 30_000);

  it('the URI carries the secret, SHA-1, 6 digits and 30 s', () => {
    expect(uri).toMatch(/^otpauth:\/\/totp\/Integration%20Hub:acme%3Ajane%40acme\.test\?/);
    expect(new URL(uri).searchParams.get('secret')).toBe(secret);
    expect(uri).toContain('digits=6');
    expect(uri).toContain('period=30');
  });

  it('accepts the current step and one either side, nothing further, and never a step already used', () => {
    expect(acceptedTotpStep(secret, codeAt(now), null, now)).toBe(step);
    expect(acceptedTotpStep(secret, codeAt(now - 30_000), null, now)).toBe(step - 1);
    expect(acceptedTotpStep(secret, codeAt(now + 30_000), null, now)).toBe(step + 1);
    expect(acceptedTotpStep(secret, codeAt(now - 90_000), null, now)).toBeUndefined();
    expect(acceptedTotpStep(secret, codeAt(now), step, now)).toBeUndefined();
    expect(acceptedTotpStep(secret, codeAt(now + 30_000), step, now)).toBe(step + 1);
    expect(acceptedTotpStep(secret, 'abcdef', null, now)).toBeUndefined();
  });

  it('recovery codes are distinct and hash the same however they are typed', () => {
    const codes = newRecoveryCodes();
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) expect(code).toMatch(/^[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}$/);
    expect(hashRecoveryCode(codes[0]!.toUpperCase())).toBe(hashRecoveryCode(codes[0]!.replace(/-/g, '')));
    expect(hashRecoveryCode(codes[0]!)).not.toBe(hashRecoveryCode(codes[1]!));
  });
});
