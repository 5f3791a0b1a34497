import type { Connection } from 'mongoose';
import {
  alertConnection,
  alertDirectoryTest,
  callerOf,
  checkAlertFilter,
  rulesAsked,
  ServantFacts,
  sortAlerts,
  type AlertConnection,
  type AlertRule,
  type ComplianceAlert,
  type DirectoryCopy,
  type Logger,
  type ServantRecord,
  isoDay,
  utcDay,
} from '@civil-service/shared';
import { QUARTERS_COLLECTION, QUARTERS_COUNTER } from '../models';
import { latestAnnualEvaluation, latestOverdueQuarter, quarterEnd, quarterOf, type QuarterRecord, type RulesAt } from '../rules/evaluation';
import { bandsRequiringAssessment } from './annual';

export const EVALUATION_ALERT_RULES: readonly AlertRule[] = ['ASSESSMENT_REQUIRED', 'EVALUATION_MISSING'];

const DAY = 86_400_000;

/** A recorded quarter, as the facts keep it. */
export interface QuarterFacts extends QuarterRecord, ServantRecord {
  recordedAt: Date;
}

/** What the alert rules need to know about one servant in service, kept in memory (`ServantFacts`). */
export interface EvaluationAlertFacts {
  id: string;
  region: string | null;
  stateBodyId: string;
  bodyChain: string[];
  quarters: QuarterFacts[];
  /** The days the servant held a corps B position: [from, to or null while held]. */
  corpsB: Array<[Date, Date | null]>;
}

export type EvaluationFactStore = ServantFacts<QuarterFacts, EvaluationAlertFacts>;

type Scoped = ComplianceAlert & Pick<EvaluationAlertFacts, 'region' | 'stateBodyId' | 'bodyChain'>;

/**
 * The alert facts of an evaluation subgraph: its directory copy, caught up by number, with each
 * servant's quarters, re-read for the servants whose quarters are written (`QUARTERS_COUNTER`).
 */
export function evaluationFactStore(db: Connection, directory: DirectoryCopy, logger?: Logger): EvaluationFactStore {
  return new ServantFacts<QuarterFacts, EvaluationAlertFacts>({
    db,
    Directory: directory.models.Directory,
    directoryHead: () => directory.appliedHead(),
    records: QUARTERS_COLLECTION,
    counterId: QUARTERS_COUNTER,
    projection: { year: 1, quarter: 1, score: 1, recordedAt: 1 },
    ...(logger ? { logger } : {}),
    build(entry, quarters) {
      if (entry.stateBodyId === null) return null;
      return {
        id: entry._id,
        region: entry.region,
        stateBodyId: entry.stateBodyId,
        bodyChain: entry.bodyChain,
        quarters: quarters.map(({ servantId, year, quarter, score, recordedAt }) => ({ servantId, year, quarter, score, recordedAt })),
        corpsB: entry.periods.filter((p) => p.corps === 'B').map((p) => [p.from, p.to]),
      };
    },
  });
}

/**
 * ASSESSMENT_REQUIRED: the servant's latest annual band today (the `latestAnnualBand` field's
 * function, on the quarters started by today) is below the band required today. `since` is the day
 * that annual evaluation came to exist: the day its fourth quarter was recorded when the year was
 * complete before it ended, otherwise 1 January of the next year.
 */
function assessmentRequiredAlert(row: EvaluationAlertFacts, today: Date, rulesAt: RulesAt, below: ReadonlySet<string>, required: string): ComplianceAlert | null {
  const year = today.getUTCFullYear();
  const quarter = quarterOf(today);
  const started = row.quarters.filter((q) => q.year < year || (q.year === year && q.quarter <= quarter));
  const latest = latestAnnualEvaluation(started, today, rulesAt);
  if (!latest || !below.has(latest.band)) return null;
  const ofYear = started.filter((q) => q.year === latest.year);
  const n = ofYear.length;
  const lastRecordedAt = Math.max(...ofYear.map((q) => q.recordedAt.getTime()));
  const yearEnded = Date.UTC(latest.year + 1, 0, 1);
  const completed = n >= 4 ? utcDay(new Date(lastRecordedAt)).getTime() : yearEnded;
  return {
    rule: 'ASSESSMENT_REQUIRED',
    since: new Date(Math.min(completed, yearEnded, today.getTime())),
    detail: `${latest.year} annual score ${latest.score} (${latest.band}, from ${n} quarter${n === 1 ? '' : 's'}) is below ${required}: an assessment is required`,
    servantId: row.id,
  };
}

/** Every evaluation alert of every servant in service on `today`, sorted; computed once per day and change. */
function allAlerts(store: EvaluationFactStore, today: Date, rulesAt: RulesAt): Promise<Scoped[]> {
  return store.derive('alerts', isoDay(today), (facts) => {
    const below = new Set<string>(bandsRequiringAssessment(rulesAt, today));
    const required = rulesAt(today).requiredBand;
    // EVALUATION_MISSING: held corps B on the last day of the latest quarter past its due date, and
    // no evaluation of that quarter; `since` is the day after the due date.
    const { year, quarter, due } = latestOverdueQuarter(today, rulesAt);
    const last = quarterEnd(year, quarter).getTime();
    const missing = { since: new Date(due.getTime() + DAY), detail: `${year} Q${quarter} not recorded by ${isoDay(due)}` };
    const out: Scoped[] = [];
    for (const row of facts.values()) {
      const scope = { region: row.region, stateBodyId: row.stateBodyId, bodyChain: row.bodyChain };
      const assessment = assessmentRequiredAlert(row, today, rulesAt, below, required);
      if (assessment) out.push({ ...assessment, ...scope });
      const held = row.corpsB.some(([from, to]) => from.getTime() <= last && (to === null || to.getTime() >= last));
      if (held && !row.quarters.some((q) => q.year === year && q.quarter === quarter)) {
        out.push({ rule: 'EVALUATION_MISSING', ...missing, servantId: row.id, ...scope });
      }
    }
    return sortAlerts(out) as Scoped[];
  });
}

/** `Query.evaluationAlerts`: the day's alerts (see `allAlerts`) in the caller's scope and the rules asked. */
export async function evaluationAlerts(
  store: EvaluationFactStore,
  args: { filter?: unknown; first?: unknown; after?: unknown },
  context: unknown,
  today: Date,
  rulesAt: RulesAt,
): Promise<AlertConnection> {
  const filter = checkAlertFilter(args.filter);
  // Checks first and after before any work: bad paging input is refused without reading.
  alertConnection([], args.first, args.after);
  const inScope = alertDirectoryTest(filter, callerOf(context));
  const asked = new Set(rulesAsked(filter, EVALUATION_ALERT_RULES));
  if (asked.size === 0) return alertConnection([], args.first, args.after);
  const selected: ComplianceAlert[] = [];
  for (const a of await allAlerts(store, utcDay(today), rulesAt)) {
    if (asked.has(a.rule) && inScope(a)) selected.push({ rule: a.rule, since: a.since, detail: a.detail, servantId: a.servantId });
  }
  return alertConnection(selected, args.first, args.after);
}
