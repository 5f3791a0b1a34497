import { effectiveAt, type ReferenceEntry } from '@civil-service/shared';
import reference from '../../reference/violation-rules.json';

/** The repeated service violations rule; versioned reference data (`reference/violation-rules.json`). */
export interface ViolationRules {
  /** Violations within the window that make a servant a repeat offender. */
  threshold: number;
  /** Length of the window, in months, ending on the day asked about. */
  windowMonths: number;
}

export type ViolationRuleEntry = ReferenceEntry<ViolationRules>;

/** The rule in force on a day; throws when no entry covers it (a configuration error). */
export type ViolationRulesAt = (date: Date) => ViolationRules;

/** Checks an entry's shape once at load, so a mistyped reference file fails at start, not mid-request. */
function parseRules(raw: ViolationRules, where: string): ViolationRules {
  const { threshold, windowMonths } = raw;
  if (!Number.isInteger(threshold) || threshold < 1) throw new Error(`${where}: threshold must be a whole number of at least 1`);
  if (!Number.isInteger(windowMonths) || windowMonths < 1) throw new Error(`${where}: windowMonths must be a whole number of at least 1`);
  return { threshold, windowMonths };
}

/** The effective-dated rule shipped in `reference/violation-rules.json`. */
export const DEFAULT_VIOLATION_RULE_ENTRIES: ViolationRuleEntry[] = reference.entries.map((e, i) => ({
  validFrom: e.validFrom,
  validTo: e.validTo,
  value: parseRules(e.value, `violation-rules.json entries[${i}]`),
}));

export function violationRulesLookup(entries: readonly ViolationRuleEntry[] = DEFAULT_VIOLATION_RULE_ENTRIES): ViolationRulesAt {
  return (date: Date) => {
    const rules = effectiveAt(entries, date);
    if (!rules) throw new Error(`no violation rules are in force on ${date.toISOString().slice(0, 10)}`);
    return rules;
  };
}
