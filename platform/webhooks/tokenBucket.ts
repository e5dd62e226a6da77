/**
 * An endpoint's request rate limit: a token bucket refilled at `ratePerSecond`, holding at most
 * one second's worth (at least one token). No rate: unlimited.
 */
export class TokenBucket {
  private tokens: number;
  private refilledAt: number;

  constructor(
    private readonly ratePerSecond: number | null,
    now: number = Date.now(),
  ) {
    this.tokens = this.capacity();
    this.refilledAt = now;
  }

  private capacity(): number {
    return this.ratePerSecond === null ? Infinity : Math.max(1, this.ratePerSecond);
  }

  /** Whole tokens available now (Infinity without a rate). */
  available(now: number): number {
    if (this.ratePerSecond === null) return Infinity;
    this.tokens = Math.min(this.capacity(), this.tokens + ((now - this.refilledAt) / 1000) * this.ratePerSecond);
    this.refilledAt = now;
    return Math.floor(this.tokens);
  }

  take(count: number): void {
    if (this.ratePerSecond !== null) this.tokens -= count;
  }

  /** Milliseconds until the next whole token (0 when one is there; null without a rate). */
  nextTokenInMs(now: number): number | null {
    if (this.ratePerSecond === null) return null;
    const missing = 1 - this.available(now);
    return missing <= 0 ? 0 : Math.ceil((missing / this.ratePerSecond) * 1000);
  }
}
