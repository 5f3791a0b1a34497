import type { Types } from 'mongoose';
import {
  alertConnection,
  alertDirectoryTest,
  callerOf,
  checkAlertFilter,
  placedAlert,
  rulesAsked,
  selectAlerts,
  sortAlerts,
  type AlertConnection,
  type AlertRule,
  type ComplianceAlert,
  type DirectoryModels,
} from '@civil-service/shared';
import type { TrainingModels } from '../models';
import { addDays, isoDay, utcDay } from '../rules/dates';
import {
  isTrainingOverdue,
  lastCompletedTraining,
  retrainingStatus,
  trainingDueBy,
  type RetrainingRecordFacts,
  type RetrainingStatus,
  type RetrainingTrigger,
  type RulesAt,
  type TrainingRules,
} from '../rules/training';
import type { TrainingFactStore, TrainingFacts } from './facts';

export const TRAINING_ALERT_RULES: readonly AlertRule[] = ['TRAINING_OVERDUE', 'RETRAINING_OVERDUE'];

type Scoped = ComplianceAlert & Pick<TrainingFacts, 'stateBodyId' | 'bodyChain'> & { region: string | null };

export interface AlertDeps {
  models: TrainingModels & DirectoryModels;
  now: () => Date;
  rulesAt: RulesAt;
  alertFacts: TrainingFactStore;
}

const TRIGGER_WORDS: Record<RetrainingTrigger, string> = {
  FIRST_ENTRY_CORPS_B: 'first entry to corps B',
  MANAGERIAL_APPOINTMENT: 'appointment to a managerial position',
};

/** The rules in force on a day, or null before the first entry (a trigger then was no trigger). */
function rulesInForce(rulesAt: RulesAt, day: Date): TrainingRules | null {
  try {
    return rulesAt(day);
  } catch {
    return null;
  }
}

function trainingOverdueAlert(row: TrainingFacts, records: RetrainingRecordFacts[], today: Date, rules: TrainingRules): ComplianceAlert | null {
  if (!isTrainingOverdue(records, today, rules)) return null;
  const last = lastCompletedTraining(records, today);
  const since = trainingDueBy(last, rules) ?? (row.entryDate ? utcDay(row.entryDate) : row.firstFrom ?? today);
  const detail = last
    ? `no completed training since ${isoDay(last)} (${rules.trainingPeriodMonths}-month period)`
    : 'no completed training on record';
  return { rule: 'TRAINING_OVERDUE', since, detail, servantId: row.id };
}

/** Each trigger is judged by the rules in force on the day it happened (window and whether it counted at all). */
function retrainingOverdueAlert(row: TrainingFacts, records: RetrainingRecordFacts[], today: Date, rulesAt: RulesAt): ComplianceAlert | null {
  const overdue: RetrainingStatus[] = [];
  for (const event of row.events) {
    const rules = rulesInForce(rulesAt, event.date);
    if (!rules) continue;
    for (const s of retrainingStatus([event], records, today, rules)) if (s.status === 'OVERDUE') overdue.push(s);
  }
  if (overdue.length === 0) return null;
  overdue.sort((a, b) => a.dueBy.getTime() - b.dueBy.getTime());
  const first = overdue[0];
  const more = overdue.length > 1 ? ` (and ${overdue.length - 1} more overdue)` : '';
  return {
    rule: 'RETRAINING_OVERDUE',
    // Due by dueBy inclusive; the first day in breach is the day after.
    since: addDays(first.dueBy, 1),
    detail: `no retraining completed since ${TRIGGER_WORDS[first.trigger]} on ${isoDay(first.eventDate)} (due by ${isoDay(first.dueBy)})${more}`,
    servantId: row.id,
  };
}

/**
 * Every training alert of every servant in service today, sorted: computed once per day and
 * change (`ServantFacts.derive`) from the facts in memory, through the same rule functions as the
 * CivilServant fields, so the lists agree with `trainingOverdue`. One catalogue read says which
 * programmes are retraining.
 */
async function allAlerts(deps: AlertDeps, today: Date): Promise<Scoped[]> {
  return deps.alertFacts.derive('alerts', isoDay(today), async (facts) => {
    const rules = deps.rulesAt(today);
    const retrainingIds = await deps.models.TrainingProgram.find({ type: 'RETRAINING' }, { _id: 1 }).lean<Array<{ _id: Types.ObjectId }>>().exec();
    const retraining = new Set(retrainingIds.map((p) => p._id.toHexString()));
    const day = today.getTime();
    const out: Scoped[] = [];
    for (const row of facts.values()) {
      const records: RetrainingRecordFacts[] = [];
      for (const c of row.completions) {
        if (c.e.getTime() <= day) records.push({ status: 'COMPLETED', endDate: c.e, type: retraining.has(c.p) ? 'RETRAINING' : 'ADVANCED_TRAINING' });
      }
      const scope = { region: row.placement.region, stateBodyId: row.placement.stateBodyId, bodyChain: row.bodyChain };
      const overdue = trainingOverdueAlert(row, records, today, rules);
      if (overdue) out.push(placedAlert(overdue, row.id, scope));
      const retrainingOverdue = retrainingOverdueAlert(row, records, today, deps.rulesAt);
      if (retrainingOverdue) out.push(placedAlert(retrainingOverdue, row.id, scope));
    }
    return sortAlerts(out);
  });
}

/** `Query.trainingAlerts`: the day's alerts (see `allAlerts`) in the caller's scope and the rules asked. */
export async function trainingAlerts(args: { filter?: unknown; first?: unknown; after?: unknown }, deps: AlertDeps, context: unknown): Promise<AlertConnection> {
  const filter = checkAlertFilter(args.filter);
  // Bad paging is refused before any read.
  alertConnection([], args.first, args.after);
  const inScope = alertDirectoryTest(filter, callerOf(context));
  const asked = new Set(rulesAsked(filter, TRAINING_ALERT_RULES));
  if (asked.size === 0) return alertConnection([], args.first, args.after);
  return alertConnection(selectAlerts(await allAlerts(deps, utcDay(deps.now())), asked, inScope), args.first, args.after);
}
