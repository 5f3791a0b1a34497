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
  isoDay,
  utcDay,
} from '@civil-service/shared';
import { latestOverdueQuarter, quarterEnd, type RulesAt } from '../rules/evaluation';
import { bandsRequiringAssessment } from './annual';
import { annualsOn, type AnnualFacts, type EvaluationFactStore, type EvaluationFacts } from './facts';

export const EVALUATION_ALERT_RULES: readonly AlertRule[] = ['ASSESSMENT_REQUIRED', 'EVALUATION_MISSING'];

const DAY = 86_400_000;

type Scoped = ComplianceAlert & Pick<EvaluationFacts, 'stateBodyId' | 'bodyChain'> & { region: string | null };

/**
 * ASSESSMENT_REQUIRED: the servant's latest annual band today (`annualOf`) is below the band
 * required today. `since` is the day that annual evaluation came to exist: the day its fourth
 * quarter was recorded when the year was complete before it ended, otherwise 1 January of the next year.
 */
function assessmentRequiredAlert(id: string, annual: AnnualFacts | null, today: Date, below: ReadonlySet<string>, required: string): ComplianceAlert | null {
  if (!annual || !below.has(annual.band)) return null;
  const { year, score, band, n, lastRecordedAt } = annual;
  const yearEnded = Date.UTC(year + 1, 0, 1);
  const completed = n >= 4 ? utcDay(lastRecordedAt).getTime() : yearEnded;
  return {
    rule: 'ASSESSMENT_REQUIRED',
    since: new Date(Math.min(completed, yearEnded, today.getTime())),
    detail: `${year} annual score ${score} (${band}, from ${n} quarter${n === 1 ? '' : 's'}) is below ${required}: an assessment is required`,
    servantId: id,
  };
}

/** Every evaluation alert of every servant in service on `today`, sorted; computed once per day and change. */
async function allAlerts(store: EvaluationFactStore, today: Date, rulesAt: RulesAt): Promise<Scoped[]> {
  const at = await store.current();
  const annuals = await annualsOn(store, at, today, rulesAt);
  return store.derive(
    'alerts',
    isoDay(today),
    (facts) => {
    const below = new Set<string>(bandsRequiringAssessment(rulesAt, today));
    const required = rulesAt(today).requiredBand;
    // EVALUATION_MISSING: held corps B on the last day of the latest quarter past its due date, and
    // no evaluation of that quarter; `since` is the day after the due date.
    const { year, quarter, due } = latestOverdueQuarter(today, rulesAt);
    const last = quarterEnd(year, quarter).getTime();
    const missing = { rule: 'EVALUATION_MISSING' as const, since: new Date(due.getTime() + DAY), detail: `${year} Q${quarter} not recorded by ${isoDay(due)}` };
    const out: Scoped[] = [];
    for (const row of facts.values()) {
      const scope = { region: row.placement.region, stateBodyId: row.stateBodyId, bodyChain: row.bodyChain };
      const assessment = assessmentRequiredAlert(row.id, annuals.get(row.id) ?? null, today, below, required);
      if (assessment) out.push(placedAlert(assessment, row.id, scope));
      const held = row.corpsB.some(([from, to]) => from.getTime() <= last && (to === null || to.getTime() >= last));
      if (held && !row.quarters.some((q) => q.year === year && q.quarter === quarter)) {
        out.push(placedAlert(missing, row.id, scope));
      }
    }
    return sortAlerts(out);
    },
    at,
  );
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
  return alertConnection(selectAlerts(await allAlerts(store, utcDay(today), rulesAt), asked, inScope), args.first, args.after);
}
