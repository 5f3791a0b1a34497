import { segmentStages, segmentValuesOf, type DirectoryModels, type SegmentComputer, type SegmentQuery } from '@civil-service/shared';
import type { TrainingModels } from '../models';
import { addMonths } from '../rules/dates';
import type { TrainingRules } from '../rules/training';

/** What training adds to a WorkforceSegment. */
export interface TrainingMeasures {
  /** Servants with a COMPLETED record ending within the training period up to asOf (not overdue). */
  trained: number;
  /** trained / headcount, 3 decimals. */
  coverage: number;
  /** Academic hours of those completions / headcount, 1 decimal. */
  averageHours: number;
}

interface GroupRow {
  _id: unknown;
  headcount: number;
  trained: number;
  hours: number;
}

const round = (value: number, decimals: number) => Math.round(value * 10 ** decimals) / 10 ** decimals;

/**
 * The first day of the training period that ends on `asOf`. `isTrainingOverdue` counts a
 * completion ending exactly `trainingPeriodMonths` before the day, so the window is
 * [asOf - period, asOf], both ends inclusive, computed with the rule's own month arithmetic.
 */
export function trainingPeriodStart(asOf: Date, rules: TrainingRules): Date {
  return addMonths(asOf, -rules.trainingPeriodMonths);
}

/**
 * Every segment of a question in one pipeline on the directory copy: the shared segment stages,
 * then each servant's learning records through `$lookup` on `servantId` (served by the
 * `(servantId, startDate)` index on a real server), reduced to the completions inside the period
 * before grouping, so the group holds two numbers per servant, not records.
 */
export function trainingSegmentComputer(models: TrainingModels & DirectoryModels, rulesOn: (day: Date) => TrainingRules): SegmentComputer<TrainingMeasures> {
  return async (query: SegmentQuery) => {
    const from = trainingPeriodStart(query.asOf, rulesOn(query.asOf));
    const done = {
      $filter: {
        input: '$r',
        as: 'x',
        cond: { $and: [{ $eq: ['$$x.status', 'COMPLETED'] }, { $gte: ['$$x.endDate', from] }, { $lte: ['$$x.endDate', query.asOf] }] },
      },
    };
    const rows = await models.Directory.collection.aggregate<GroupRow>([
      ...segmentStages(query),
      { $project: { _id: 1, seg: 1 } },
      { $lookup: { from: models.LearningRecord.collection.collectionName, localField: '_id', foreignField: 'servantId', as: 'r' } },
      { $project: { seg: 1, d: { $map: { input: done, as: 'c', in: { $ifNull: ['$$c.hours', 0] } } } } },
      {
        $group: {
          _id: '$seg',
          headcount: { $sum: 1 },
          trained: { $sum: { $cond: [{ $gt: [{ $size: '$d' }, 0] }, 1, 0] } },
          hours: { $sum: { $sum: '$d' } },
        },
      },
    ]).toArray();
    return rows.map((row) => ({
      values: segmentValuesOf(query, row._id),
      headcount: row.headcount,
      measures: {
        trained: row.trained,
        coverage: row.headcount ? round(row.trained / row.headcount, 3) : 0,
        averageHours: row.headcount ? round(row.hours / row.headcount, 1) : 0,
      },
    }));
  };
}
