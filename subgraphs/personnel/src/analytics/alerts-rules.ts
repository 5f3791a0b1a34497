import type { AlertRule, DirectoryEntry, DirectoryPeriod } from '@civil-service/shared';
import { categoryMismatch, type CategoryTable, type CorpsCode } from '../rules/category';
import { addDays, addYears, isoDay, isWeekend, utcDay } from '../rules/dates';
import { reentryBarOf, type ReentryBars } from '../rules/reentry';
import type { StateBodyLevel } from '../rules/rotation';
import { hasActiveCorpsAReserve, type ReserveFacts } from '../rules/reserve';
import { mergeServicePeriods } from '../rules/tenure';

/** A finding fixed by the servant's history alone (it does not move with today). */
export interface Finding {
  rule: AlertRule;
  since: Date;
  detail: string;
}

/** What the alert list keeps per servant in service: scope fields, and the facts its rules read. */
export interface ServantFacts {
  id: string;
  region: string;
  stateBodyId: string;
  bodyChain: string[];
  current: DirectoryPeriod;
  /** First day of the continuous holding of the current position, when it is a rotation subject. */
  rotationStart: Date | null;
  /** Findings that depend only on history (overlaps, re-entry bars, corps A reserve). */
  fixed: Finding[];
}

export interface Dismissal {
  reason: string;
  endDate: Date;
}

export interface FactRules {
  reentryBarsAt(date: Date): ReentryBars;
  corpsAReserveRequiredAt(date: Date): boolean;
}

export const DISMISSAL_REASONS = ['DISMISSAL_ETHICS', 'DISMISSAL_DISCREDIT', 'DISMISSAL_CORRUPTION'] as const;

const FAR_FUTURE = new Date(Date.UTC(9999, 11, 31));
const endOf = (p: DirectoryPeriod) => p.to ?? FAR_FUTURE;
const span = (p: DirectoryPeriod) => `${isoDay(p.from)}–${p.to ? isoDay(p.to) : 'open'}`;

/** The open period (the latest started, should bad data leave two). */
export function currentPeriod(entry: Pick<DirectoryEntry, 'periods' | 'stateBodyId'>): DirectoryPeriod | undefined {
  return entry.periods.filter((p) => p.to === null).sort((a, b) => a.from.getTime() - b.from.getTime()).pop();
}

/** Working days from `a` to `b`, both included, counted up to `stopAfter`. */
function workingDaysIn(a: Date, b: Date, stopAfter: number): number {
  let n = 0;
  for (let d = utcDay(a); d.getTime() <= b.getTime() && n <= stopAfter; d = addDays(d, 1)) if (!isWeekend(d)) n += 1;
  return n;
}

/**
 * Two holdings sharing more than one working day: the handover day the law tolerates between
 * consecutive holdings (the tenure rule's one-working-day bridge) is not a fault. Periods sorted by
 * start overlap somewhere exactly when some neighbouring pair does, but the pair reported is the
 * earliest one whose shared stretch is long enough.
 */
export function overlapFinding(periods: readonly DirectoryPeriod[]): Finding | null {
  const sorted = [...periods].sort((a, b) => a.from.getTime() - b.from.getTime());
  let found: Finding | null = null;
  for (let i = 0; i < sorted.length; i += 1) {
    for (let j = i + 1; j < sorted.length && sorted[j].from.getTime() <= endOf(sorted[i]).getTime(); j += 1) {
      const later = sorted[j];
      const sharedEnd = new Date(Math.min(endOf(sorted[i]).getTime(), endOf(later).getTime()));
      if (workingDaysIn(later.from, sharedEnd, 1) <= 1) continue;
      if (found && found.since.getTime() <= later.from.getTime()) continue;
      const days = sharedEnd === FAR_FUTURE || sharedEnd.getTime() >= FAR_FUTURE.getTime() ? null : Math.round((sharedEnd.getTime() - later.from.getTime()) / 86_400_000) + 1;
      found = {
        rule: 'OVERLAPPING_ASSIGNMENTS',
        since: later.from,
        detail: `assignments ${span(sorted[i])} and ${span(later)} overlap${days === null ? ' (both still open)' : ` by ${days} day${days === 1 ? '' : 's'}`}`,
      };
    }
  }
  return found;
}

/** The first appointment that started inside a bar a dismissal started (the bar table in force on the dismissal). */
export function reentryFinding(periods: readonly DirectoryPeriod[], dismissals: readonly Dismissal[], rules: FactRules): Finding | null {
  let found: Finding | null = null;
  for (const dismissal of dismissals) {
    const bar = reentryBarOf({ reason: dismissal.reason, endDate: dismissal.endDate }, rules.reentryBarsAt);
    if (!bar) continue;
    for (const p of periods) {
      if (p.from.getTime() <= dismissal.endDate.getTime() || p.from.getTime() >= bar.until.getTime()) continue;
      if (found && found.since.getTime() <= p.from.getTime()) continue;
      found = {
        rule: 'REENTRY_BAR_BREACH',
        since: p.from,
        detail: `appointed on ${isoDay(p.from)}, inside the ${bar.years}-year re-entry bar after ${dismissal.reason} on ${isoDay(dismissal.endDate)} (barred until ${isoDay(bar.until)})`,
      };
    }
  }
  return found;
}

/**
 * A corps A holding started while the reserve rule applied, with no corps A reserve membership in
 * force on its first day. A membership the appointment spent is APPOINTED now; it was active then.
 */
export function corpsAFinding(current: DirectoryPeriod, reserve: readonly ReserveFacts[], rules: FactRules): Finding | null {
  if (current.corps !== 'A' || !rules.corpsAReserveRequiredAt(current.from)) return null;
  const asThen = reserve.map((m) => (m.status === 'APPOINTED' ? { ...m, status: 'ACTIVE' } : m));
  if (hasActiveCorpsAReserve(asThen, current.from)) return null;
  return {
    rule: 'CORPS_A_WITHOUT_RESERVE',
    since: current.from,
    detail: `appointed to corps A position ${current.categoryCode} on ${isoDay(current.from)} without an active corps A reserve membership, required on that day`,
  };
}

/** First day of the continuous holding of `current`'s position (re-appointments bridged like service periods). */
export function holdingStart(periods: readonly DirectoryPeriod[], current: DirectoryPeriod, today: Date): Date {
  const same = periods.filter((p) => p.positionId === current.positionId).map((p) => ({ start: p.from, end: p.to }));
  const merged = mergeServicePeriods(same, today);
  const holding = merged.find((m) => m.start.getTime() <= current.from.getTime() && m.end.getTime() >= current.from.getTime());
  return holding?.start ?? current.from;
}

/** The facts of one directory entry of a servant in service (null when not in service). */
export function factsOf(entry: DirectoryEntry, dismissals: readonly Dismissal[], reserve: readonly ReserveFacts[], rules: FactRules, today: Date): ServantFacts | null {
  const current = currentPeriod(entry);
  if (!entry.stateBodyId || !entry.region || !current) return null;
  const fixed = [overlapFinding(entry.periods), reentryFinding(entry.periods, dismissals, rules), corpsAFinding(current, reserve, rules)].filter((f): f is Finding => f !== null);
  return {
    id: entry._id,
    region: entry.region,
    stateBodyId: entry.stateBodyId,
    bodyChain: entry.bodyChain,
    current,
    rotationStart: current.rotationSubject ? holdingStart(entry.periods, current, today) : null,
    fixed,
  };
}

/** Whole years and months from `from` to `to`. */
function yearsMonths(from: Date, to: Date): string {
  let months = (to.getUTCFullYear() - from.getUTCFullYear()) * 12 + (to.getUTCMonth() - from.getUTCMonth());
  if (to.getUTCDate() < from.getUTCDate()) months -= 1;
  return `${Math.floor(months / 12)} years ${months % 12} months`;
}

/** Over the lowest limit: the band is the highest limit passed; a limit is passed the day after its anniversary. */
export function rotationFinding(start: Date, limitsYears: readonly number[], today: Date): Finding | null {
  const limits = [...limitsYears].sort((a, b) => a - b);
  if (!limits.length) return null;
  const passedOn = (years: number) => addDays(addYears(start, years), 1);
  const since = passedOn(limits[0]);
  if (since.getTime() > today.getTime()) return null;
  const band = limits.filter((y) => passedOn(y).getTime() <= today.getTime()).pop()!;
  return {
    rule: 'ROTATION_TENURE_EXCEEDED',
    since,
    detail: `on a rotation-subject position since ${isoDay(start)} (${yearsMonths(start, today)}): over the ${band}-year limit`,
  };
}

/** The current position's category against its body's level, by the table in force today. */
export function categoryFinding(current: DirectoryPeriod, table: CategoryTable): Finding | null {
  const why = categoryMismatch(current.categoryCode, current.stateBodyLevel as StateBodyLevel, current.corps as CorpsCode, table);
  return why ? { rule: 'CATEGORY_LEVEL_MISMATCH', since: current.from, detail: `position ${current.positionId}: ${why}` } : null;
}
