import { addDays, daysBetween, utcDay, workingDaysBetween } from './dates';

/** One holding of a position: first and last day, both inclusive; `end` null while held. */
export interface ServiceInterval {
  start: Date;
  end: Date | null;
}

export interface ServiceTenure {
  years: number;
  months: number;
  days: number;
  totalDays: number;
}

interface Period {
  start: Date;
  end: Date;
}

/**
 * The union of the intervals up to `asOf`, with overlaps counted once and a gap of at most
 * `maxGapWorkingDays` working days bridged: the law treats such a move as uninterrupted service, so
 * the bridged days count too.
 */
export function mergeServicePeriods(intervals: readonly ServiceInterval[], asOf: Date, maxGapWorkingDays = 1): Period[] {
  const today = utcDay(asOf);
  const periods = intervals
    .map((i) => ({ start: utcDay(i.start), end: i.end && i.end.getTime() < today.getTime() ? utcDay(i.end) : today }))
    .filter((p) => p.start.getTime() <= p.end.getTime())
    .sort((a, b) => a.start.getTime() - b.start.getTime());
  const merged: Period[] = [];
  for (const p of periods) {
    const last = merged[merged.length - 1];
    const continuous =
      last !== undefined &&
      (p.start.getTime() <= addDays(last.end, 1).getTime() || workingDaysBetween(last.end, p.start, maxGapWorkingDays) <= maxGapWorkingDays);
    if (last && continuous) {
      if (p.end.getTime() > last.end.getTime()) last.end = p.end;
    } else {
      merged.push({ ...p });
    }
  }
  return merged;
}

/** Calendar difference from `from` to the day after `lastDay`: whole years, months, then days. */
function calendarSpan(from: Date, lastDay: Date): { years: number; months: number; days: number } {
  const to = addDays(lastDay, 1);
  let months = (to.getUTCFullYear() - from.getUTCFullYear()) * 12 + (to.getUTCMonth() - from.getUTCMonth());
  let days = to.getUTCDate() - from.getUTCDate();
  if (days < 0) {
    months -= 1;
    // Days borrowed from the month before `to`.
    days += new Date(Date.UTC(to.getUTCFullYear(), to.getUTCMonth(), 0)).getUTCDate();
  }
  return { years: Math.floor(months / 12), months: months % 12, days };
}

/**
 * Length of civil service on `asOf`. Each continuous period is measured on the calendar; periods
 * are added up the way HR departments do it, carrying 30 days into a month and 12 months into a
 * year. `totalDays` is the exact number of days served.
 */
export function computeTenure(intervals: readonly ServiceInterval[], asOf: Date, maxGapWorkingDays = 1): ServiceTenure {
  let years = 0;
  let months = 0;
  let days = 0;
  let totalDays = 0;
  for (const p of mergeServicePeriods(intervals, asOf, maxGapWorkingDays)) {
    const span = calendarSpan(p.start, p.end);
    years += span.years;
    months += span.months;
    days += span.days;
    totalDays += daysBetween(p.start, p.end) + 1;
  }
  months += Math.floor(days / 30);
  days %= 30;
  years += Math.floor(months / 12);
  months %= 12;
  return { years, months, days, totalDays };
}

/** Whether two holdings share at least one day (an open holding runs on forever). */
export function intervalsOverlap(a: ServiceInterval, b: ServiceInterval): boolean {
  const aEnd = a.end ? a.end.getTime() : Infinity;
  const bEnd = b.end ? b.end.getTime() : Infinity;
  return a.start.getTime() <= bEnd && b.start.getTime() <= aEnd;
}

/** Index pairs of the intervals that overlap each other (data-quality checks and write guards). */
export function findOverlaps(intervals: readonly ServiceInterval[]): Array<[number, number]> {
  const order = intervals.map((_, i) => i).sort((x, y) => intervals[x].start.getTime() - intervals[y].start.getTime());
  const pairs: Array<[number, number]> = [];
  for (let a = 0; a < order.length; a += 1) {
    for (let b = a + 1; b < order.length; b += 1) {
      const i = intervals[order[a]];
      const j = intervals[order[b]];
      // Sorted by start: once j starts after i ends, no later interval can overlap i either.
      if (i.end && j.start.getTime() > i.end.getTime()) break;
      if (intervalsOverlap(i, j)) pairs.push([Math.min(order[a], order[b]), Math.max(order[a], order[b])]);
    }
  }
  return pairs;
}
