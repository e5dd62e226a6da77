/** Settings of an endpoint's circuit breaker (WEBHOOK_BREAKER_*). */
export interface BreakerSettings {
  windowMs: number;
  minRequests: number;
  failureRatio: number;
  cooldownMs: number;
}

export type BreakerState = 'closed' | 'open' | 'half_open';

/**
 * An endpoint's circuit breaker. Closed: attempts go out, and their outcomes over the last
 * `windowMs` are counted; once there are `minRequests` of them and the failed share reaches
 * `failureRatio`, it opens. Open: nothing goes out for `cooldownMs`, then it is half-open: one
 * probe at a time; a success closes it (the window starts afresh), a failure opens it again.
 */
export class CircuitBreaker {
  private outcomes: Array<{ at: number; ok: boolean }> = [];
  private probing = false;
  state: BreakerState;
  openedAt: number | null;

  constructor(
    private readonly settings: BreakerSettings,
    initial: { state: BreakerState; openedAt: number | null } = { state: 'closed', openedAt: null },
  ) {
    this.state = initial.state === 'half_open' ? 'open' : initial.state;
    this.openedAt = initial.state === 'closed' ? null : (initial.openedAt ?? Date.now());
  }

  /** How many attempts may start now, given `wanted` (open: 0; half-open: one probe). */
  allowance(wanted: number, now: number): number {
    if (this.state === 'open' && now - this.openedAt! >= this.settings.cooldownMs) this.state = 'half_open';
    if (this.state === 'open') return 0;
    if (this.state === 'half_open') return this.probing ? 0 : Math.min(1, wanted);
    return wanted;
  }

  /** An attempt started (a half-open breaker allows one at a time). */
  started(): void {
    if (this.state === 'half_open') this.probing = true;
  }

  /** When an open breaker lets a probe through, from `now` (null unless open). */
  reopensInMs(now: number): number | null {
    return this.state === 'open' ? Math.max(0, this.openedAt! + this.settings.cooldownMs - now) : null;
  }

  /** Records an outcome; answers the transition it caused, if any. */
  record(ok: boolean, now: number): 'opened' | 'reopened' | 'closed' | null {
    if (this.state === 'half_open' || (this.state === 'open' && this.probing)) {
      this.probing = false;
      if (ok) {
        this.state = 'closed';
        this.openedAt = null;
        this.outcomes = [];
        return 'closed';
      }
      this.state = 'open';
      this.openedAt = now;
      return 'reopened';
    }
    if (this.state === 'open') return null;
    this.outcomes.push({ at: now, ok });
    const from = now - this.settings.windowMs;
    let drop = 0;
    while (drop < this.outcomes.length && this.outcomes[drop]!.at < from) drop += 1;
    if (drop > 0) this.outcomes.splice(0, drop);
    if (ok || this.outcomes.length < this.settings.minRequests) return null;
    const failed = this.outcomes.filter((outcome) => !outcome.ok).length;
    if (failed / this.outcomes.length < this.settings.failureRatio) return null;
    this.state = 'open';
    this.openedAt = now;
    this.outcomes = [];
    return 'opened';
  }

  /** The failure ratio over the current window (for the `webhook.endpoint.failing` event). */
  failureRatio(): number {
    if (this.outcomes.length === 0) return 1;
    return this.outcomes.filter((outcome) => !outcome.ok).length / this.outcomes.length;
  }
}
