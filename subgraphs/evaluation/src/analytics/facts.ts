import type { Connection } from 'mongoose';
import { copyFacts, isoDay, servantScopeOf, type DirectoryCopy, type FactsSnapshot, type Logger, type ServantFacts, type ServantRecord, type ServantScope } from '@civil-service/shared';
import { QUARTERS_COLLECTION, QUARTERS_COUNTER } from '../models';
import { latestAnnualEvaluation, quarterOf, type Band, type QuarterRecord, type RulesAt } from '../rules/evaluation';

/** A recorded quarter, as the facts keep it. */
export interface QuarterFacts extends QuarterRecord, ServantRecord {
  recordedAt: Date;
}

/**
 * What evaluation knows about one servant in service, kept in memory (`ServantFacts`): enough for
 * the compliance alerts and for today's workforce questions.
 */
export interface EvaluationFacts extends ServantScope {
  quarters: QuarterFacts[];
  /** The days the servant held a corps B position: [from, to or null while held]. */
  corpsB: Array<[Date, Date | null]>;
}

export type EvaluationFactStore = ServantFacts<QuarterFacts, EvaluationFacts>;

/**
 * The facts of an evaluation subgraph: its directory copy, caught up by number, with each servant's
 * quarters, re-read for the servants whose quarters are written (`QUARTERS_COUNTER`).
 */
export function evaluationFacts(db: Connection, directory: DirectoryCopy, logger?: Logger) {
  return copyFacts<QuarterFacts, EvaluationFacts>(db, directory, {
    records: { collection: QUARTERS_COLLECTION, counterId: QUARTERS_COUNTER, projection: { year: 1, quarter: 1, score: 1, recordedAt: 1 } },
    ...(logger ? { logger } : {}),
    build(entry, quarters) {
      const scope = servantScopeOf(entry);
      if (!scope) return null;
      return {
        ...scope,
        quarters: quarters.map(({ servantId, year, quarter, score, recordedAt }) => ({ servantId, year, quarter, score, recordedAt })),
        corpsB: entry.periods.filter((p) => p.corps === 'B').map((p) => [p.from, p.to]),
      };
    },
  });
}

/** A servant's latest annual evaluation on a day, with what the alert says about it. */
export interface AnnualFacts {
  year: number;
  score: number;
  band: Band;
  /** Quarters of that year. */
  n: number;
  /** When the last of them was recorded. */
  lastRecordedAt: Date;
}

/**
 * The latest annual evaluation on `day` of the quarters started by then: the `latestAnnualBand`
 * field's function (`latestAnnualEvaluation`), and the arithmetic `annualStages` repeats in pipelines.
 */
export function annualOf(quarters: readonly QuarterFacts[], day: Date, rulesAt: RulesAt): AnnualFacts | null {
  const year = day.getUTCFullYear();
  const quarter = quarterOf(day);
  const started = quarters.filter((q) => q.year < year || (q.year === year && q.quarter <= quarter));
  const latest = latestAnnualEvaluation(started, day, rulesAt);
  if (!latest) return null;
  const ofYear = started.filter((q) => q.year === latest.year);
  const lastRecordedAt = new Date(Math.max(...ofYear.map((q) => q.recordedAt.getTime())));
  return { year: latest.year, score: latest.score, band: latest.band, n: ofYear.length, lastRecordedAt };
}

/**
 * Every servant's latest annual evaluation on `day`, computed once per day and change: the band is
 * the costly part of a question (a few microseconds per servant), and both the alerts and today's
 * workforce questions need it.
 */
export function annualsOn(store: EvaluationFactStore, at: FactsSnapshot<EvaluationFacts>, day: Date, rulesAt: RulesAt): Promise<ReadonlyMap<string, AnnualFacts | null>> {
  return store.derive(
    'annuals',
    isoDay(day),
    (facts) => {
      const out = new Map<string, AnnualFacts | null>();
      for (const f of facts.values()) out.set(f.id, f.quarters.length ? annualOf(f.quarters, day, rulesAt) : null);
      return out;
    },
    at,
  );
}
