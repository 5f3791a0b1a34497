import { effectiveAt } from '@civil-service/shared';
import categoryLevels from '../../reference/category-levels.json';
import corpsAReserve from '../../reference/corps-a-reserve.json';
import hiring from '../../reference/hiring.json';
import reentryBars from '../../reference/reentry-bars.json';
import rotationTenure from '../../reference/rotation-tenure.json';
import sanctionTypes from '../../reference/sanction-types.json';
import type { CategoryTable } from './category';
import { utcDay } from './dates';
import type { ReentryBars } from './reentry';

/** One version of a rule: in force from `validFrom` (inclusive) to `validTo` (exclusive, null = open). */
export interface ReferenceEntry<T> {
  validFrom: string;
  validTo?: string | null;
  value: T;
}

export interface SanctionRules {
  types: string[];
  lapsesAfterMonths: number;
}

export interface HiringLimits {
  minimumAge: number;
  maxStartDaysAhead: number;
  nameMaxLength: number;
  orderNumberMaxLength: number;
  groundsMaxLength: number;
}

export interface CorpsAReserveRule {
  requireCorpsAReserve: boolean;
}

export interface RotationTenureRule {
  limitsYears: number[];
}

/** Every effective-dated table of the subgraph; each defaults to its file in reference/. */
export interface PersonnelRuleEntries {
  categoryLevels: ReferenceEntry<CategoryTable>[];
  reentryBars: ReferenceEntry<ReentryBars>[];
  sanctionTypes: ReferenceEntry<SanctionRules>[];
  corpsAReserve: ReferenceEntry<CorpsAReserveRule>[];
  hiring: ReferenceEntry<HiringLimits>[];
  rotationTenure: ReferenceEntry<RotationTenureRule>[];
}

export const DEFAULT_RULE_ENTRIES: PersonnelRuleEntries = {
  categoryLevels: categoryLevels.entries as ReferenceEntry<CategoryTable>[],
  reentryBars: reentryBars.entries as ReferenceEntry<ReentryBars>[],
  sanctionTypes: sanctionTypes.entries as ReferenceEntry<SanctionRules>[],
  corpsAReserve: corpsAReserve.entries as ReferenceEntry<CorpsAReserveRule>[],
  hiring: hiring.entries as ReferenceEntry<HiringLimits>[],
  rotationTenure: rotationTenure.entries as ReferenceEntry<RotationTenureRule>[],
};

function lookup<T>(name: string, entries: ReferenceEntry<T>[], fallback?: T): (date: Date) => T {
  return (date) => {
    const value = effectiveAt(entries, utcDay(date)) as T | null | undefined;
    if (value !== undefined && value !== null) return value;
    if (fallback !== undefined) return fallback;
    throw new Error(`reference data ${name}: no entry in force on ${utcDay(date).toISOString().slice(0, 10)}`);
  };
}

/** The rule versions in force on a day, one function per table. */
export interface PersonnelRules {
  categoryTableAt(date: Date): CategoryTable;
  /** No entry in force means no bar (before the 2015 law, for this register). */
  reentryBarsAt(date: Date): ReentryBars;
  sanctionRulesAt(date: Date): SanctionRules;
  corpsAReserveRequiredAt(date: Date): boolean;
  hiringAt(date: Date): HiringLimits;
  /** Rotation tenure limits in years; none in force means no tenure check. */
  rotationLimitsAt(date: Date): number[];
}

export function personnelRules(overrides: Partial<PersonnelRuleEntries> = {}): PersonnelRules {
  const e = { ...DEFAULT_RULE_ENTRIES, ...overrides };
  const corpsA = lookup('corps-a-reserve', e.corpsAReserve, { requireCorpsAReserve: false });
  const rotationLimits = lookup('rotation-tenure', e.rotationTenure, { limitsYears: [] });
  return {
    categoryTableAt: lookup('category-levels', e.categoryLevels),
    reentryBarsAt: lookup('reentry-bars', e.reentryBars, {}),
    sanctionRulesAt: lookup('sanction-types', e.sanctionTypes, { types: [], lapsesAfterMonths: 0 }),
    corpsAReserveRequiredAt: (date) => corpsA(date).requireCorpsAReserve,
    hiringAt: lookup('hiring', e.hiring),
    rotationLimitsAt: (date) => rotationLimits(date).limitsYears,
  };
}
