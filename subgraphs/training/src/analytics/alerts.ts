import type { Types } from 'mongoose';
import {
  alertConnection,
  alertDirectoryMatch,
  callerOf,
  checkAlertFilter,
  rulesAsked,
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
import { retrainingEventsOf, type PeriodFacts } from './events';

export const TRAINING_ALERT_RULES: readonly AlertRule[] = ['TRAINING_OVERDUE', 'RETRAINING_OVERDUE'];

/** One servant in scope, with the completions that matter by today. */
interface ServantRow {
  _id: string;
  entryDate: Date | null;
  periods?: PeriodFacts[];
  /** COMPLETED records ending by today: end date and programme. */
  c: Array<{ e: Date; p: Types.ObjectId }>;
}

export interface AlertDeps {
  models: TrainingModels & DirectoryModels;
  now: () => Date;
  rulesAt: RulesAt;
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

function trainingOverdueAlert(row: ServantRow, records: RetrainingRecordFacts[], today: Date, rules: TrainingRules): ComplianceAlert | null {
  if (!isTrainingOverdue(records, today, rules)) return null;
  const last = lastCompletedTraining(records, today);
  const since = trainingDueBy(last, rules) ?? (row.entryDate ? utcDay(row.entryDate) : row.periods?.[0]?.from ?? today);
  const detail = last
    ? `no completed training since ${isoDay(last)} (${rules.trainingPeriodMonths}-month period)`
    : 'no completed training on record';
  return { rule: 'TRAINING_OVERDUE', since, detail, servantId: row._id };
}

/** Each trigger is judged by the rules in force on the day it happened (window and whether it counted at all). */
function retrainingOverdueAlert(row: ServantRow, records: RetrainingRecordFacts[], today: Date, rulesAt: RulesAt): ComplianceAlert | null {
  const overdue: RetrainingStatus[] = [];
  for (const event of retrainingEventsOf(row.periods ?? [])) {
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
    servantId: row._id,
  };
}

/**
 * trainingAlerts: one pipeline on the directory copy (the servants in scope, joined with their
 * completions by `$lookup` on `servantId`) and one catalogue read (which programmes are
 * retraining); the rules themselves run in JS on the per-servant rows, through the same
 * functions as the CivilServant fields, so the lists agree with `trainingOverdue`.
 */
export async function trainingAlerts(args: { filter?: unknown; first?: unknown; after?: unknown }, deps: AlertDeps, context: unknown): Promise<AlertConnection> {
  const filter = checkAlertFilter(args.filter);
  // Bad paging is refused before any read.
  alertConnection([], args.first, args.after);
  const match = alertDirectoryMatch(filter, callerOf(context));
  const asked = rulesAsked(filter, TRAINING_ALERT_RULES);
  if (asked.length === 0) return alertConnection([], args.first, args.after);
  const wantsRetraining = asked.includes('RETRAINING_OVERDUE');

  const today = utcDay(deps.now());
  const rules = deps.rulesAt(today);
  const { Directory, LearningRecord, TrainingProgram } = deps.models;
  const [retrainingIds, rows] = await Promise.all([
    wantsRetraining
      ? TrainingProgram.find({ type: 'RETRAINING' }, { _id: 1 }).lean<Array<{ _id: Types.ObjectId }>>().exec()
      : Promise.resolve([]),
    Directory.collection.aggregate<ServantRow>([
      { $match: match },
      { $project: wantsRetraining ? { entryDate: 1, 'periods.from': 1, 'periods.corps': 1, 'periods.managerial': 1 } : { entryDate: 1 } },
      { $lookup: { from: LearningRecord.collection.collectionName, localField: '_id', foreignField: 'servantId', as: 'r' } },
      {
        $addFields: {
          c: {
            $map: {
              input: { $filter: { input: '$r', as: 'x', cond: { $and: [{ $eq: ['$$x.status', 'COMPLETED'] }, { $lte: ['$$x.endDate', today] }] } } },
              as: 'x',
              in: { e: '$$x.endDate', p: '$$x.programId' },
            },
          },
        },
      },
      { $project: { r: 0 } },
    ], { allowDiskUse: true }).toArray(),
  ]);
  const retraining = new Set(retrainingIds.map((p) => String(p._id)));

  const alerts: ComplianceAlert[] = [];
  for (const row of rows) {
    const records: RetrainingRecordFacts[] = row.c.map((x) => ({
      status: 'COMPLETED',
      endDate: x.e,
      type: retraining.has(String(x.p)) ? 'RETRAINING' : 'ADVANCED_TRAINING',
    }));
    if (asked.includes('TRAINING_OVERDUE')) {
      const alert = trainingOverdueAlert(row, records, today, rules);
      if (alert) alerts.push(alert);
    }
    if (wantsRetraining) {
      const alert = retrainingOverdueAlert(row, records, today, deps.rulesAt);
      if (alert) alerts.push(alert);
    }
  }
  return alertConnection(sortAlerts(alerts), args.first, args.after);
}
