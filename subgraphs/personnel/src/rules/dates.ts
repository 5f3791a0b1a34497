import { isoDay, utcDay } from '@civil-service/shared';

/** Calendar-day arithmetic in UTC: every date of the register is a UTC midnight. */

export { isoDay, utcDay };

export const DAY_MS = 86_400_000;

export function addDays(d: Date, days: number): Date {
  return new Date(utcDay(d).getTime() + days * DAY_MS);
}

/**
 * Adds whole years; 29 February lands on 28 February in a non-leap year rather than rolling over
 * into March, so a bar or an age never ends later than the calendar suggests.
 */
export function addYears(d: Date, years: number): Date {
  const y = d.getUTCFullYear() + years;
  const m = d.getUTCMonth();
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  return new Date(Date.UTC(y, m, Math.min(d.getUTCDate(), lastDay)));
}

/** Whole days from `a` to `b` (negative when `b` is earlier). */
export function daysBetween(a: Date, b: Date): number {
  return Math.round((utcDay(b).getTime() - utcDay(a).getTime()) / DAY_MS);
}

export function isWeekend(d: Date): boolean {
  const wd = d.getUTCDay();
  return wd === 0 || wd === 6;
}

/**
 * Working days strictly between `a` and `b` (both excluded); weekends are not working days.
 * Counting stops past `stopAfter`, which is all a continuity check needs to know.
 */
export function workingDaysBetween(a: Date, b: Date, stopAfter = 7): number {
  let count = 0;
  for (let d = addDays(a, 1); d.getTime() < utcDay(b).getTime(); d = addDays(d, 1)) {
    if (!isWeekend(d)) count += 1;
    if (count > stopAfter) break;
  }
  return count;
}

/** Whole years of age on `on` for someone born on `birth`. */
export function ageOn(birth: Date, on: Date): number {
  let years = on.getUTCFullYear() - birth.getUTCFullYear();
  if (addYears(birth, years).getTime() > utcDay(on).getTime()) years -= 1;
  return years;
}

/** Parses `YYYY-MM-DD` (reference data) as a UTC midnight. */
export function parseDay(s: string): Date {
  const d = new Date(`${s}T00:00:00.000Z`);
  if (Number.isNaN(d.getTime())) throw new Error(`not a date: ${s}`);
  return d;
}
