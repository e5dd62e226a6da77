import type { ResponseBody } from '../../api/types';

type UsageGroup = ResponseBody<'/v1/usage', 'get'>['data'][number];

/** Daily series over a window: every UTC day from `from` to `to`, days without usage as 0. */
export interface DailySeries {
  /** Unix seconds of each day's start (uPlot's time axis). */
  x: number[];
  /** The days, YYYY-MM-DD. */
  days: string[];
  /** Quantity per kind per day, kinds in a stable order. */
  byKind: Map<string, number[]>;
  /** API calls (events) and their errors per day. */
  apiCalls: number[];
  apiErrors: number[];
}

const DAY_MS = 86_400_000;

/** The UTC days of [from, to). */
export function utcDays(from: Date, to: Date): string[] {
  const days: string[] = [];
  for (let at = Date.UTC(from.getUTCFullYear(), from.getUTCMonth(), from.getUTCDate()); at < to.getTime(); at += DAY_MS) {
    days.push(new Date(at).toISOString().slice(0, 10));
  }
  return days;
}

/** Lays `/v1/usage?groupBy=day` groups (one per day and kind) out as aligned daily series. */
export function dailySeries(groups: UsageGroup[], from: Date, to: Date): DailySeries {
  const days = utcDays(from, to);
  const index = new Map(days.map((day, position) => [day, position]));
  const byKind = new Map<string, number[]>();
  const apiCalls = days.map(() => 0);
  const apiErrors = days.map(() => 0);
  for (const kind of [...new Set(groups.map((group) => group.kind))].sort())
    byKind.set(
      kind,
      days.map(() => 0),
    );
  for (const group of groups) {
    const position = index.get(group.key);
    if (position === undefined) continue;
    byKind.get(group.kind)![position]! += group.quantity;
    if (group.kind === 'api_call') {
      apiCalls[position]! += group.events;
      apiErrors[position]! += group.errors;
    }
  }
  return { x: days.map((day) => Date.parse(`${day}T00:00:00Z`) / 1000), days, byKind, apiCalls, apiErrors };
}
