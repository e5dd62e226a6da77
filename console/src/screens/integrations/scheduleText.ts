import type { SyncSchedule } from './integrationTypes';

/** "every 15m" or "cron 0 3 * * * (UTC)", for summaries. */
export function scheduleTiming(schedule: NonNullable<SyncSchedule>): string {
  return schedule.cron ? `cron ${schedule.cron} (UTC)` : `every ${schedule.every ?? '—'}`;
}
