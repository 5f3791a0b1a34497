import { effectiveAt } from '@civil-service/shared';
import reference from '../../reference/evaluation-rules.json';
import type { Band, EvaluationRules, RulesAt } from './evaluation';

export interface EvaluationRuleEntry {
  validFrom: string;
  validTo?: string | null;
  value: EvaluationRules;
}

/** The effective-dated rules shipped in `reference/evaluation-rules.json`. */
export const DEFAULT_RULE_ENTRIES: EvaluationRuleEntry[] = reference.entries.map((e) => ({
  validFrom: e.validFrom,
  validTo: e.validTo,
  value: { ...e.value, bands: e.value.bands.map((b) => ({ band: b.band as Band, minScore: b.minScore })), requiredBand: e.value.requiredBand as Band },
}));

/** Rules lookup over effective-dated entries; a date no entry covers is a configuration error. */
export function rulesLookup(entries: readonly EvaluationRuleEntry[] = DEFAULT_RULE_ENTRIES): RulesAt {
  return (date: Date) => {
    const rules = effectiveAt(entries, date);
    if (!rules) throw new Error(`no evaluation rules are in force on ${date.toISOString().slice(0, 10)}`);
    return rules;
  };
}
