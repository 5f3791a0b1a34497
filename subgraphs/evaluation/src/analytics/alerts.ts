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
  isoDay,
  utcDay,
} from '@civil-service/shared';
import { latestOverdueQuarter, quarterEnd, type Band, type RulesAt } from '../rules/evaluation';
import { annualStages, bandsRequiringAssessment, QUARTERS_COLLECTION } from './annual';

export const EVALUATION_ALERT_RULES: readonly AlertRule[] = ['ASSESSMENT_REQUIRED', 'EVALUATION_MISSING'];

const DAY = 86_400_000;

interface RequiredRow {
  _id: string;
  ay: number;
  n: number;
  score: number;
  band: Band;
  lastRecordedAt: Date | null;
}

/**
 * ASSESSMENT_REQUIRED: the servants whose latest annual band today is below the band required
 * today (the `assessmentRequired` field's rule). `since` is the day that annual evaluation came to
 * exist: the day its fourth quarter was recorded when the year was complete before it ended,
 * otherwise 1 January of the next year (the year ended with the quarters it had).
 */
async function assessmentRequiredAlerts(models: DirectoryModels, match: Record<string, unknown>, today: Date, rulesAt: RulesAt): Promise<ComplianceAlert[]> {
  const below = bandsRequiringAssessment(rulesAt, today);
  const required = rulesAt(today).requiredBand;
  const rows = await models.Directory.collection
    .aggregate<RequiredRow>([
      { $match: match },
      ...annualStages({ day: today, rulesAt, keep: [], withRecordedAt: true }),
      { $match: { band: { $in: below } } },
      { $project: { ay: 1, n: 1, score: 1, band: 1, lastRecordedAt: 1 } },
    ])
    .toArray();
  return rows.map((row) => {
    const yearEnded = Date.UTC(row.ay + 1, 0, 1);
    const completed = row.n >= 4 && row.lastRecordedAt ? utcDay(new Date(row.lastRecordedAt)).getTime() : yearEnded;
    const since = new Date(Math.min(completed, yearEnded, today.getTime()));
    return {
      rule: 'ASSESSMENT_REQUIRED' as const,
      since,
      detail: `${row.ay} annual score ${row.score} (${row.band}, from ${row.n} quarter${row.n === 1 ? '' : 's'}) is below ${required}: an assessment is required`,
      servantId: row._id,
    };
  });
}

/**
 * EVALUATION_MISSING: servants in service who held a corps B position on the last day of the most
 * recent quarter whose due date has passed, and have no evaluation of that quarter. `since` is the
 * day after the due date.
 */
async function evaluationMissingAlerts(models: DirectoryModels, match: Record<string, unknown>, today: Date, rulesAt: RulesAt): Promise<ComplianceAlert[]> {
  const { year, quarter, due } = latestOverdueQuarter(today, rulesAt);
  const last = quarterEnd(year, quarter);
  const heldCorpsB = { $elemMatch: { corps: 'B', from: { $lte: last }, $or: [{ to: null }, { to: { $gte: last } }] } };
  const rows = await models.Directory.collection
    .aggregate<{ _id: string }>([
      { $match: { ...match, periods: heldCorpsB } },
      { $project: { _id: 1 } },
      { $lookup: { from: QUARTERS_COLLECTION, localField: '_id', foreignField: 'servantId', as: 'q' } },
      { $project: { found: { $size: { $filter: { input: '$q', as: 'e', cond: { $and: [{ $eq: ['$$e.year', year] }, { $eq: ['$$e.quarter', quarter] }] } } } } } },
      { $match: { found: 0 } },
      { $project: { _id: 1 } },
    ])
    .toArray();
  const since = new Date(due.getTime() + DAY);
  const detail = `${year} Q${quarter} not recorded by ${isoDay(due)}`;
  return rows.map((row) => ({ rule: 'EVALUATION_MISSING' as const, since, detail, servantId: row._id }));
}

/** `Query.evaluationAlerts`: one pipeline per rule asked, sorted and paged in memory. */
export async function evaluationAlerts(
  models: DirectoryModels,
  args: { filter?: unknown; first?: unknown; after?: unknown },
  context: unknown,
  today: Date,
  rulesAt: RulesAt,
): Promise<AlertConnection> {
  const filter = checkAlertFilter(args.filter);
  // Checks first and after before any work: bad paging input is refused without reading.
  alertConnection([], args.first, args.after);
  const match = alertDirectoryMatch(filter, callerOf(context));
  const day = utcDay(today);
  const rules = rulesAsked(filter, EVALUATION_ALERT_RULES);
  const lists = await Promise.all(
    rules.map((rule) => (rule === 'ASSESSMENT_REQUIRED' ? assessmentRequiredAlerts(models, match, day, rulesAt) : evaluationMissingAlerts(models, match, day, rulesAt))),
  );
  return alertConnection(sortAlerts(lists.flat()), args.first, args.after);
}
