import { effectiveAt } from '@civil-service/shared';
import reference from '../../reference/training-rules.json';
import { RETRAINING_TRIGGERS, TRAINING_TYPES, type HourBounds, type RetrainingTrigger, type RulesAt, type TrainingRules, type TrainingType } from './training';

export interface TrainingRuleEntry {
  validFrom: string;
  validTo?: string | null;
  value: TrainingRules;
}

/** Checks a JSON entry's shape once at load, so a mistyped reference file fails at start, not mid-request. */
function parseRules(raw: (typeof reference.entries)[number]['value'], where: string): TrainingRules {
  const hourBounds = {} as Record<TrainingType, HourBounds>;
  for (const type of TRAINING_TYPES) {
    const b = (raw.hourBounds as Record<string, { min: number; max: number | null } | undefined>)[type];
    if (!b || !Number.isInteger(b.min) || (b.max != null && (!Number.isInteger(b.max) || b.max < b.min))) {
      throw new Error(`${where}: hourBounds.${type} is missing or malformed`);
    }
    hourBounds[type] = { min: b.min, max: b.max ?? null };
  }
  for (const t of raw.retraining.triggers) {
    if (!(RETRAINING_TRIGGERS as readonly string[]).includes(t)) throw new Error(`${where}: unknown retraining trigger ${t}`);
  }
  if (!(raw.trainingPeriodMonths > 0)) throw new Error(`${where}: trainingPeriodMonths must be positive`);
  return {
    trainingPeriodMonths: raw.trainingPeriodMonths,
    hourBounds,
    retraining: { windowMonths: raw.retraining.windowMonths, triggers: raw.retraining.triggers as RetrainingTrigger[] },
    enrolment: { ...raw.enrolment },
    certificateNoMaxLength: raw.certificateNoMaxLength,
  };
}

/** The effective-dated rules shipped in `reference/training-rules.json`. */
export const DEFAULT_RULE_ENTRIES: TrainingRuleEntry[] = reference.entries.map((e, i) => ({
  validFrom: e.validFrom,
  validTo: e.validTo,
  value: parseRules(e.value, `training-rules.json entries[${i}]`),
}));

/** Rules lookup over effective-dated entries; a date no entry covers is a configuration error. */
export function rulesLookup(entries: readonly TrainingRuleEntry[] = DEFAULT_RULE_ENTRIES): RulesAt {
  return (date: Date) => {
    const rules = effectiveAt(entries, date);
    if (!rules) throw new Error(`no training rules are in force on ${date.toISOString().slice(0, 10)}`);
    return rules;
  };
}
