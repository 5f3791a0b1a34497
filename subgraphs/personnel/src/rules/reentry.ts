import { addYears, isoDay, utcDay } from './dates';

/** Years of bar by separation reason (reference/reentry-bars.json). */
export type ReentryBars = Partial<Record<string, number>>;

export interface Separation {
  reason: string;
  /** Last day of service. */
  endDate: Date;
}

export interface ReentryBar {
  reason: string;
  years: number;
  /** First day an appointment is allowed again. */
  until: Date;
}

/**
 * The bar a separation starts, judged by the table in force on the day of the separation
 * (`barsAt`), or null when the reason starts none.
 */
export function reentryBarOf(separation: Separation, barsAt: (date: Date) => ReentryBars): ReentryBar | null {
  const years = barsAt(separation.endDate)[separation.reason];
  if (!years || years <= 0) return null;
  return { reason: separation.reason, years, until: addYears(separation.endDate, years) };
}

/** The bar that refuses an appointment starting on `startDate`, or null when it is allowed. */
export function reentryBarOn(separation: Separation | null | undefined, startDate: Date, barsAt: (date: Date) => ReentryBars): ReentryBar | null {
  if (!separation) return null;
  const bar = reentryBarOf(separation, barsAt);
  return bar && utcDay(startDate).getTime() < bar.until.getTime() ? bar : null;
}

export function describeBar(bar: ReentryBar): string {
  const years = bar.years === 1 ? '1-year' : `${bar.years}-year`;
  return `re-entry bar: a ${years} bar after ${bar.reason} applies until ${isoDay(bar.until)}`;
}
