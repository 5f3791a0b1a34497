import type { RetrainingEvent } from '../rules/training';

/** The parts of a directory period that trigger retraining. */
export interface PeriodFacts {
  from: Date;
  corps?: string | null;
  managerial?: boolean | null;
}

/**
 * Retraining triggers in a servant's assignment history (oldest first): the first period in
 * corps B, and every managerial period not following a managerial one (a move between two
 * managerial posts is no new appointment). Whether a trigger is in force is the rules' business.
 */
export function retrainingEventsOf(periods: readonly PeriodFacts[]): RetrainingEvent[] {
  const events: RetrainingEvent[] = [];
  const firstB = periods.find((p) => p.corps === 'B');
  if (firstB) events.push({ trigger: 'FIRST_ENTRY_CORPS_B', date: firstB.from });
  periods.forEach((p, i) => {
    if (p.managerial && (i === 0 || !periods[i - 1].managerial)) events.push({ trigger: 'MANAGERIAL_APPOINTMENT', date: p.from });
  });
  return events;
}
