import { factsTable, groupTable, segmentStages, segmentValuesOf, type ComputedCell, type DirectoryModels, type SegmentComputer, type SegmentQuery } from '@civil-service/shared';
import type { TrainingFactStore } from './facts';
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

function measuresOf(headcount: number, trained: number, hours: number): TrainingMeasures {
  return {
    trained,
    coverage: headcount ? round(trained / headcount, 3) : 0,
    averageHours: headcount ? round(hours / headcount, 1) : 0,
  };
}

/**
 * Every segment of a question in one pipeline on the directory copy: the shared segment stages,
 * then each servant's learning records through `$lookup` on `servantId` (served by the
 * `(servantId, startDate)` index on a real server), reduced to the completions inside the period
 * before grouping, so the group holds two numbers per servant, not records.
 */
export function trainingSegmentPipeline(models: TrainingModels & DirectoryModels, rulesOn: (day: Date) => TrainingRules): SegmentComputer<TrainingMeasures> {
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
    return rows.map((row) => ({ values: segmentValuesOf(query, row._id), headcount: row.headcount, measures: measuresOf(row.headcount, row.trained, row.hours) }));
  };
}

/**
 * Today's question from the servants' facts in memory (`TrainingFacts`): the same servants and
 * completions the pipeline reads, without reading 100,000 directory entries and their records per
 * request (seconds at national scale on the embedded server). The segments test holds both to the
 * same answers.
 */
export function trainingSegmentsInMemory(store: TrainingFactStore, rulesOn: (day: Date) => TrainingRules): SegmentComputer<TrainingMeasures> {
  return async (query: SegmentQuery) => {
    const from = trainingPeriodStart(query.asOf, rulesOn(query.asOf)).getTime();
    const until = query.asOf.getTime();
    const at = await store.current();
    const table = await factsTable(store, at, (f) => f.placement);
    // Each servant's completions in the period, once per period and version of the facts.
    const done = await store.derive(
      'completions in the period',
      `${from}|${until}`,
      (facts) => {
        const trained = new Uint8Array(table.size);
        const hours = new Float64Array(table.size);
        for (let r = 0; r < table.size; r++) {
          for (const c of facts.get(table.ids[r])!.completions) {
            const t = c.e.getTime();
            if (t < from || t > until) continue;
            trained[r] = 1;
            hours[r] += c.h;
          }
        }
        return { trained, hours };
      },
      at,
    );
    const { groupOf, groups } = groupTable(table, query);
    const trained = new Float64Array(groups.length);
    const hours = new Float64Array(groups.length);
    for (let r = 0; r < table.size; r++) {
      const g = groupOf[r];
      if (g < 0) continue;
      trained[g] += done.trained[r];
      hours[g] += done.hours[r];
    }
    return groups.map((g, i): ComputedCell<TrainingMeasures> => ({ values: g.values, headcount: g.headcount, measures: measuresOf(g.headcount, trained[i], hours[i]) }));
  };
}

/** Today's questions from memory, questions about past days through the pipeline. */
export function trainingSegmentComputer(models: TrainingModels & DirectoryModels, rulesOn: (day: Date) => TrainingRules, store: TrainingFactStore): SegmentComputer<TrainingMeasures> {
  const pipeline = trainingSegmentPipeline(models, rulesOn);
  const memory = trainingSegmentsInMemory(store, rulesOn);
  return (query) => (query.current ? memory(query) : pipeline(query));
}
