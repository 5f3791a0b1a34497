import { factsTable, groupTable, isoDay, segmentStages, segmentValuesOf, type ComputedCell, type DirectoryModels, type SegmentComputer, type SegmentQuery } from '@civil-service/shared';
import { BANDS, type Band, type RulesAt } from '../rules/evaluation';
import { annualStages, bandsRequiringAssessment } from './annual';
import { annualsOn, type EvaluationFactStore } from './facts';

/** What evaluation adds to a WorkforceSegment. */
export interface EvaluationMeasures {
  /** Servants by their latest annual band as of the day, in BANDS order, every band listed. */
  bandDistribution: Array<{ band: Band; count: number }>;
  /** Servants whose latest annual band is below the band required on the day. */
  assessmentRequiredCount: number;
}

type GroupRow = { _id: unknown; headcount: number; required: number } & Record<`b${number}`, number>;

/**
 * Every segment of a question in one pipeline on the directory copy: the shared segment stages,
 * each servant's latest annual band as of the question's day (`annualStages`), then one group per
 * segment counting the bands, so the reply holds one row per segment however many servants.
 */
export function evaluationSegmentPipeline(models: DirectoryModels, rulesAt: RulesAt): SegmentComputer<EvaluationMeasures> {
  return async (query: SegmentQuery) => {
    const below = bandsRequiringAssessment(rulesAt, query.asOf);
    const counts = Object.fromEntries(BANDS.map((band, i) => [`b${i}`, { $sum: { $cond: [{ $eq: ['$band', band] }, 1, 0] } }]));
    const rows = await models.Directory.collection
      .aggregate<GroupRow>([
        ...segmentStages(query),
        ...annualStages({ day: query.asOf, rulesAt, keep: ['seg'] }),
        { $group: { _id: '$seg', headcount: { $sum: 1 }, ...counts, required: { $sum: { $cond: [{ $in: ['$band', below] }, 1, 0] } } } },
      ])
      .toArray();
    return rows.map((row) => ({
      values: segmentValuesOf(query, row._id),
      headcount: row.headcount,
      measures: {
        bandDistribution: BANDS.map((band, i) => ({ band, count: row[`b${i}`] ?? 0 })),
        assessmentRequiredCount: row.required,
      },
    }));
  };
}

/**
 * Today's question from the servants' facts in memory: each servant's latest annual evaluation
 * today (`annualsOn`, once per day and change), counted per segment. The segments test holds it to
 * the pipeline's answers.
 */
export function evaluationSegmentsInMemory(store: EvaluationFactStore, rulesAt: RulesAt): SegmentComputer<EvaluationMeasures> {
  return async (query: SegmentQuery) => {
    const below = BANDS.map((band) => bandsRequiringAssessment(rulesAt, query.asOf).includes(band));
    const at = await store.current();
    const table = await factsTable(store, at, (f) => f.placement);
    const annuals = await annualsOn(store, at, query.asOf, rulesAt);
    // Each row's band as its index in BANDS (-1: none), once per day and version of the facts.
    const bandOf = await store.derive(
      'band per row',
      isoDay(query.asOf),
      () => {
        const out = new Int8Array(table.size);
        for (let r = 0; r < table.size; r++) {
          const annual = annuals.get(table.ids[r]);
          out[r] = annual ? BANDS.indexOf(annual.band) : -1;
        }
        return out;
      },
      at,
    );
    const { groupOf, groups } = groupTable(table, query);
    const counts = groups.map(() => BANDS.map(() => 0));
    const required = new Float64Array(groups.length);
    for (let r = 0; r < table.size; r++) {
      const g = groupOf[r];
      const band = bandOf[r];
      if (g < 0 || band < 0) continue;
      counts[g][band] += 1;
      if (below[band]) required[g] += 1;
    }
    return groups.map(
      (g, i): ComputedCell<EvaluationMeasures> => ({
        values: g.values,
        headcount: g.headcount,
        measures: { bandDistribution: BANDS.map((band, b) => ({ band, count: counts[i][b] })), assessmentRequiredCount: required[i] },
      }),
    );
  };
}

/** Today's questions from memory, questions about past days through the pipeline. */
export function evaluationSegmentComputer(models: DirectoryModels, rulesAt: RulesAt, store: EvaluationFactStore): SegmentComputer<EvaluationMeasures> {
  const pipeline = evaluationSegmentPipeline(models, rulesAt);
  const memory = evaluationSegmentsInMemory(store, rulesAt);
  return (query) => (query.current ? memory(query) : pipeline(query));
}
