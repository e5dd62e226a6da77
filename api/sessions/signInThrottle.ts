import { RateLimiterMemory } from 'rate-limiter-flexible';
import { ApiError } from '../errors';

/**
 * Failed sign-ins, counted per account (tenant + e-mail, whether the e-mail exists or not) and per
 * client address within one window. Past either budget, sign-in answers the same 429
 * SIGN_IN_LOCKED — also to the right password — so the answer never tells whether an e-mail is
 * known. Counted in memory per replica, like {@link AuthFailureThrottle}.
 */
export class SignInThrottle {
  private readonly accounts: RateLimiterMemory;
  private readonly addresses: RateLimiterMemory;

  constructor(private readonly options: { failuresPerAccount: number; failuresPerAddress: number; windowMs: number }) {
    const duration = Math.max(1, Math.ceil(options.windowMs / 1000));
    this.accounts = new RateLimiterMemory({ keyPrefix: 'sign-in-account', points: options.failuresPerAccount, duration });
    this.addresses = new RateLimiterMemory({ keyPrefix: 'sign-in-address', points: options.failuresPerAddress, duration });
  }

  /** Throws 429 SIGN_IN_LOCKED when the account or the address has used up its failures. */
  async assertAllowed(account: string, address: string): Promise<void> {
    const [byAccount, byAddress] = await Promise.all([this.accounts.get(account), this.addresses.get(address)]);
    const waits = [
      byAccount && byAccount.consumedPoints >= this.options.failuresPerAccount ? byAccount.msBeforeNext : 0,
      byAddress && byAddress.consumedPoints >= this.options.failuresPerAddress ? byAddress.msBeforeNext : 0,
    ];
    const wait = Math.max(...waits);
    if (wait > 0) {
      throw new ApiError(429, 'SIGN_IN_LOCKED', 'Too many failed sign-ins for this account or from this address; try again later', undefined, {
        'Retry-After': String(Math.max(1, Math.ceil(wait / 1000))),
      });
    }
  }

  async recordFailure(account: string, address: string): Promise<void> {
    await Promise.all([this.accounts.penalty(account, 1), this.addresses.penalty(address, 1)]);
  }

  /** A successful sign-in or password reset clears the account's count (not the address's). */
  async clearAccount(account: string): Promise<void> {
    await this.accounts.delete(account);
  }
}

/** The throttle key of an account: the tenant slug and the e-mail, case-folded. */
export function accountKey(tenantSlug: string, email: string): string {
  return `${tenantSlug.toLowerCase()}:${email.trim().toLowerCase()}`;
}
