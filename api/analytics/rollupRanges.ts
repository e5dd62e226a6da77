const DAY_MS = 86_400_000;

/** A date range in whole UTC days, `fromDay` inclusive, `toDay` exclusive (YYYY-MM-DD). */
export interface DayRange {
  fromDay: string;
  toDay: string;
}

/** How to answer [from, to) exactly: whole days from a daily rollup, the partial edges from raw rows. */
export interface SplitRange {
  days: DayRange | null;
  raw: Array<{ from: Date; to: Date }>;
}

const startOfDay = (at: Date) => new Date(Math.floor(at.getTime() / DAY_MS) * DAY_MS);
const dayString = (at: Date) => at.toISOString().slice(0, 10);

/**
 * Splits [from, to) into whole UTC days (read from a rollup) and at most two partial days (read
 * from the raw rows). When `to` is not before `now`, the day containing it is whole as far as the
 * data goes (nothing has happened after now), so ranges ending now are answered from rollups alone.
 */
export function splitRange(from: Date, to: Date, now: Date): SplitRange {
  if (from >= to) return { days: null, raw: [] };
  const firstWholeDay = startOfDay(from).getTime() === from.getTime() ? from : new Date(startOfDay(from).getTime() + DAY_MS);
  const endOfWholeDays = to >= now ? new Date(Math.ceil(to.getTime() / DAY_MS) * DAY_MS) : startOfDay(to);
  if (firstWholeDay >= endOfWholeDays) return { days: null, raw: [{ from, to }] };
  const raw: Array<{ from: Date; to: Date }> = [];
  if (from < firstWholeDay) raw.push({ from, to: firstWholeDay });
  if (endOfWholeDays < to) raw.push({ from: endOfWholeDays, to });
  return { days: { fromDay: dayString(firstWholeDay), toDay: dayString(endOfWholeDays) }, raw };
}
