import { effectiveAt } from '@civil-service/shared';
import reference from '../../reference/feedback-rules.json';
import type { FeedbackRules, FeedbackRulesAt } from './feedback';

export interface FeedbackRuleEntry {
  validFrom: string;
  validTo?: string | null;
  value: FeedbackRules;
}

/** Checks an entry's shape once at load, so a mistyped reference file fails at start, not mid-request. */
function parseRules(raw: FeedbackRules, where: string): FeedbackRules {
  const { ratingMin, ratingMax, commentMaxLength } = raw;
  if (!Number.isInteger(ratingMin) || !Number.isInteger(ratingMax) || ratingMin > ratingMax) {
    throw new Error(`${where}: ratingMin and ratingMax must be whole numbers, min not above max`);
  }
  if (!Number.isInteger(commentMaxLength) || commentMaxLength < 0) {
    throw new Error(`${where}: commentMaxLength must be a non-negative whole number`);
  }
  return { ratingMin, ratingMax, commentMaxLength };
}

/** The effective-dated rules shipped in `reference/feedback-rules.json`. */
export const DEFAULT_RULE_ENTRIES: FeedbackRuleEntry[] = reference.entries.map((e, i) => ({
  validFrom: e.validFrom,
  validTo: e.validTo,
  value: parseRules(e.value, `feedback-rules.json entries[${i}]`),
}));

/** Rules lookup over effective-dated entries; a date no entry covers is a configuration error. */
export function rulesLookup(entries: readonly FeedbackRuleEntry[] = DEFAULT_RULE_ENTRIES): FeedbackRulesAt {
  return (date: Date) => {
    const rules = effectiveAt(entries, date);
    if (!rules) throw new Error(`no feedback rules are in force on ${date.toISOString().slice(0, 10)}`);
    return rules;
  };
}
