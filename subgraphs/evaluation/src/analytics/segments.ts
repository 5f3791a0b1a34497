import { segmentStages, segmentValuesOf, type DirectoryModels, type SegmentComputer, type SegmentQuery } from '@civil-service/shared';
import { BANDS, type Band, type RulesAt } from '../rules/evaluation';
import { annualStages, bandsRequiringAssessment } from './annual';

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
export function evaluationSegmentComputer(models: DirectoryModels, rulesAt: RulesAt): SegmentComputer<EvaluationMeasures> {
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
