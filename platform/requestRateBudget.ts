/** The part of a pg Pool (or Client) the budget uses. */
export interface RateBudgetQueryable {
  query<Row extends Record<string, unknown>>(text: string, values: unknown[]): Promise<{ rows: Row[] }>;
}

export interface RequestRateBudgetOptions {
  /** The budget's name in `request_rate_slots` (one provider account, e.g. `stripe`). */
  budget: string;
  requestsPerSecond: number;
  /**
   * Sends of one second are spread over its first `sendWindowMs` (default 850): a request granted
   * in a second has left before that second's last 150 ms, so a request delayed on the way by less
   * than that is still counted by the provider in the second it was granted in.
   */
  sendWindowMs?: number;
}

/** `used` of a second a rate-limit answer closed: no slot is granted in it whatever the budget. */
const CLOSED_SECOND = 2_147_483_647;
/** How many seconds ahead a slot may be reserved; beyond it `take` asks again. */
const HORIZON_SECONDS = 120;
/** Rows of seconds older than this are deleted (every few hundred slots). */
const KEEP_SECONDS = 300;
const CLEANUP_EVERY = 500;

/**
 * A request rate budget shared by every process that uses the same database: at most
 * `requestsPerSecond` requests start in any wall-clock second of Postgres's clock, whichever
 * process sends them. Each request takes a slot first: one upsert into `request_rate_slots` grants
 * the earliest second that still has room (the current one, or one ahead when it is full), and the
 * slot's place in its second says when to send, so the seconds' requests are evenly spaced rather
 * than a burst at the top of each second. `pause` closes the seconds a provider's rate-limit
 * answer asks to wait, for every process at once.
 */
export class RequestRateBudget {
  private readonly sendWindowMs: number;
  private granted = 0;

  constructor(
    private readonly db: RateBudgetQueryable,
    private readonly options: RequestRateBudgetOptions,
  ) {
    this.sendWindowMs = Math.min(1_000, Math.max(100, options.sendWindowMs ?? 850));
  }

  get requestsPerSecond(): number {
    return this.options.requestsPerSecond;
  }

  /** Resolves when this process may send one request (the slot is taken: use it). */
  async take(): Promise<void> {
    for (;;) {
      const askedAt = Date.now();
      const { rows } = await this.db.query<{ second: string; used: number; now_ms: number }>(TAKE_SLOT, [
        this.options.budget,
        this.options.requestsPerSecond,
        1_000 - this.sendWindowMs,
        HORIZON_SECONDS,
      ]);
      const slot = rows[0];
      // Empty: another process took the last slot of the chosen second between the look and the
      // write (the upsert's condition is checked again on the row it conflicts with), or every
      // second of the horizon is full or closed; ask again shortly.
      if (!slot) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        continue;
      }
      this.granted += 1;
      if (this.granted % CLEANUP_EVERY === 0) void this.deleteOldSeconds().catch(() => undefined);
      const spacing = this.sendWindowMs / this.options.requestsPerSecond;
      const secondStartMs = Number(slot.second) * 1_000;
      const sendAtMs = secondStartMs + (slot.used - 1) * spacing;
      // Postgres's clock minus ours, measured from before the question: never later than the truth.
      const clockOffsetMs = Number(slot.now_ms) - askedAt;
      const waitMs = sendAtMs - Number(slot.now_ms);
      if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
      // A stalled event loop (a busy host) can wake us after the slot's send window: sending now
      // could land in the next second on top of its own slots, so this slot is given up.
      if (Date.now() + clockOffsetMs > secondStartMs + this.sendWindowMs) continue;
      return;
    }
  }

  /** Closes the budget for every process for `ms` from now (whole seconds, rounded up), e.g. on a 429. */
  async pause(ms: number): Promise<void> {
    await this.db.query(PAUSE, [this.options.budget, Math.max(0, ms), CLOSED_SECOND]);
  }

  private async deleteOldSeconds(): Promise<void> {
    await this.db.query(`delete from request_rate_slots where budget = $1 and second < floor(extract(epoch from clock_timestamp()))::bigint - $2`, [
      this.options.budget,
      KEEP_SECONDS,
    ]);
  }
}

// $1 budget, $2 requests per second, $3 guard ms (the end of a second where nothing is sent), $4 horizon.
// The first second considered is the current one unless only its guard is left.
const TAKE_SLOT = `
  with clock as (select extract(epoch from clock_timestamp())::float8 * 1000 as now_ms),
  candidate as (
    select g.second
      from clock
      cross join lateral generate_series(floor((clock.now_ms + $3) / 1000)::bigint, floor((clock.now_ms + $3) / 1000)::bigint + $4) as g(second)
      left join request_rate_slots r on r.budget = $1 and r.second = g.second
     where coalesce(r.used, 0) < $2
     order by g.second
     limit 1
  )
  insert into request_rate_slots as slots (budget, second, used)
  select $1, candidate.second, 1 from candidate
  on conflict (budget, second) do update set used = slots.used + 1 where slots.used < $2
  returning slots.second, slots.used, (select now_ms from clock) as now_ms`;

// $1 budget, $2 pause ms, $3 the closed marker.
const PAUSE = `
  insert into request_rate_slots as slots (budget, second, used)
  select $1, g.second, $3
    from generate_series(floor(extract(epoch from clock_timestamp()))::bigint,
                         floor((extract(epoch from clock_timestamp())::float8 * 1000 + $2) / 1000)::bigint) as g(second)
  on conflict (budget, second) do update set used = $3`;
