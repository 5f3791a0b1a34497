import { groupCurrent, segmentStages, segmentValuesOf, type ComputedCell, type DirectoryModels, type SegmentComputer, type SegmentQuery } from '@civil-service/shared';
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
    const below = new Set<Band>(bandsRequiringAssessment(rulesAt, query.asOf));
    const at = await store.current();
    const annuals = await annualsOn(store, at, query.asOf, rulesAt);
    const groups = groupCurrent(
      at.facts.values(),
      (f) => f.placement,
      query,
      () => ({ bands: BANDS.map(() => 0), required: 0 }),
      (acc, f) => {
        const annual = annuals.get(f.id);
        if (!annual) return;
        acc.bands[BANDS.indexOf(annual.band)] += 1;
        if (below.has(annual.band)) acc.required += 1;
      },
    );
    return groups.map(
      (g): ComputedCell<EvaluationMeasures> => ({
        values: g.values,
        headcount: g.headcount,
        measures: { bandDistribution: BANDS.map((band, i) => ({ band, count: g.acc.bands[i] })), assessmentRequiredCount: g.acc.required },
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
