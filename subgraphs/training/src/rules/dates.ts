import { isoDay, utcDay } from '@civil-service/shared';

/** Calendar-day arithmetic in UTC: every date this subgraph stores is a UTC midnight. */

export { isoDay, utcDay };

export const DAY_MS = 86_400_000;

/** `d` plus `months` calendar months; the 31st of a short month becomes its last day, as in law. */
export function addMonths(d: Date, months: number): Date {
  const year = d.getUTCFullYear();
  const month = d.getUTCMonth() + months;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return new Date(Date.UTC(year, month, Math.min(d.getUTCDate(), lastDay)));
}

export function addDays(d: Date, days: number): Date {
  return new Date(d.getTime() + days * DAY_MS);
}

/** Accepts what the Date scalar or a seeding roster may hand over: a Date or `YYYY-MM-DD…`. */
export function toDate(value: Date | string): Date {
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) throw new RangeError(`not a date: ${String(value)}`);
  return d;
}
