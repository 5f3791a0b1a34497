import type { Connection, PipelineStage } from 'mongoose';
import {
  addUtcMonths,
  groupCurrent,
  placementOf,
  segmentStages,
  segmentValuesOf,
  ServantFacts,
  type DirectoryCopy,
  type DirectoryModels,
  type Logger,
  type Placement,
  type SegmentComputer,
  type SegmentQuery,
} from '@civil-service/shared';
import type { ServicesQualityModels } from '../models';
import { ONE_REPLY } from '../loaders';

/** What this subgraph adds to a WorkforceSegment. */
export interface QualityMeasures {
  /** Mean rating of the feedback on the segment's bodies in the window, 2 decimals; null without feedback. */
  averageRating: number | null;
  /** On-time requests over requests of the segment's bodies in the window's months, 3 decimals; null without requests. */
  onTimeRate: number | null;
}

/** The measures look back this far from asOf (the SDL promises "the 12 months up to the day"). */
export const MEASURE_WINDOW_MONTHS = 12;

export interface MeasureWindow {
  /** Feedback counts when submitted after `after` and on or before `until`. */
  after: Date;
  until: Date;
  /** The request-statistics months counted: each month whose first day is in (after, until]. */
  months: Array<{ year: number; month: number }>;
}

/**
 * The window of a question: (asOf − 12 months, asOf]. Request statistics are monthly, so a month
 * counts when its first day falls in the window, which is always the 12 calendar months ending with
 * asOf's month (the current month's figures so far included).
 */
export function measureWindow(asOf: Date): MeasureWindow {
  const after = addUtcMonths(asOf, -MEASURE_WINDOW_MONTHS);
  const months: MeasureWindow['months'] = [];
  for (let i = MEASURE_WINDOW_MONTHS - 1; i >= 0; i--) {
    const first = new Date(Date.UTC(asOf.getUTCFullYear(), asOf.getUTCMonth() - i, 1));
    months.push({ year: first.getUTCFullYear(), month: first.getUTCMonth() + 1 });
  }
  return { after, until: asOf, months };
}

/** The months as one `$match`: `year` leads, so the (year, month) index answers it (the body's, when filtered). */
function monthsMatch(months: MeasureWindow['months']): Record<string, unknown> {
  const byYear = new Map<number, number[]>();
  for (const { year, month } of months) byYear.set(year, [...(byYear.get(year) ?? []), month]);
  const years = [...byYear.keys()];
  return {
    year: { $in: years },
    $or: years.map((year) => ({ year, month: { $in: byYear.get(year) } })),
  };
}

interface BodySums {
  _id: string;
  sum: number;
  count: number;
}

const round = (value: number, decimals: number): number => {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
};

/** Where each servant in service is placed now, kept in memory from the directory copy (`ServantFacts`). */
export type PlacementStore = ServantFacts<never, Placement>;

export function placementStore(db: Connection, directory: DirectoryCopy, logger?: Logger): PlacementStore {
  return new ServantFacts<never, Placement>({
    db,
    Directory: directory.models.Directory,
    directoryHead: () => directory.appliedHead(),
    build: (entry) => placementOf(entry),
    ...(logger ? { logger } : {}),
  });
}

/** A question's segments with the bodies their servants serve in, before the bodies' figures are added. */
interface SegmentGroup {
  values: ReturnType<typeof segmentValuesOf>;
  headcount: number;
  bodies: Iterable<string>;
}

interface DirectoryGroup {
  _id: unknown;
  headcount: number;
  bodies: string[];
}

/** The segments from the directory copy through the shared stages (any day). */
function groupsFromPipeline(models: DirectoryModels, query: SegmentQuery): Promise<SegmentGroup[]> {
  // The shared stages are plain stage objects; mongoose's stage union is narrower than they need.
  return models.Directory.aggregate<DirectoryGroup>([
    ...segmentStages(query),
    { $group: { _id: '$seg', headcount: { $sum: 1 }, bodies: { $addToSet: '$p.stateBodyId' } } },
  ] as unknown as PipelineStage[])
    .option({ batchSize: ONE_REPLY })
    .exec()
    .then((rows) => rows.map((g) => ({ values: segmentValuesOf(query, g._id), headcount: g.headcount, bodies: g.bodies })));
}

/** Today's segments from the placements in memory (the segments test holds them to the pipeline's). */
async function groupsFromMemory(store: PlacementStore, query: SegmentQuery): Promise<SegmentGroup[]> {
  const { facts } = await store.current();
  return groupCurrent(facts.values(), (p) => p, query, () => new Set<string>(), (bodies, p) => bodies.add(p.stateBodyId)).map((g) => ({
    values: g.values,
    headcount: g.headcount,
    bodies: g.acc,
  }));
}

/**
 * All the segments of a question from three reads run side by side, whatever the number of
 * segments: the segments with their bodies (today's from the placements in memory, a past day's
 * through the directory pipeline), the feedback of the window per body, the monthly request totals
 * of the window's months per body. A segment's figures are sums over its bodies (a ratio of sums,
 * never a mean of the bodies' means). Without a body filter the two fact pipelines read the whole
 * window through the date indexes: a question by region or by body covers nearly every body.
 */
export function qualitySegmentComputer(models: ServicesQualityModels & DirectoryModels, store?: PlacementStore): SegmentComputer<QualityMeasures> {
  return async (query: SegmentQuery) => {
    const window = measureWindow(query.asOf);
    const body = query.filter.stateBodyId ? { stateBodyId: query.filter.stateBodyId } : {};
    const [groups, feedback, requests] = await Promise.all([
      query.current && store ? groupsFromMemory(store, query) : groupsFromPipeline(models, query),
      models.Feedback.aggregate<BodySums>([
        { $match: { ...body, submittedOn: { $gt: window.after, $lte: window.until } } },
        { $group: { _id: '$stateBodyId', sum: { $sum: '$rating' }, count: { $sum: 1 } } },
      ])
        .option({ batchSize: ONE_REPLY })
        .exec(),
      models.RequestTotal.aggregate<BodySums>([
        { $match: { ...body, ...monthsMatch(window.months) } },
        { $group: { _id: '$stateBodyId', sum: { $sum: '$onTime' }, count: { $sum: '$requests' } } },
      ])
        .option({ batchSize: ONE_REPLY })
        .exec(),
    ]);
    const feedbackOf = new Map(feedback.map((f) => [f._id, f]));
    const requestsOf = new Map(requests.map((r) => [r._id, r]));
    return groups.map((g) => {
      let ratingSum = 0;
      let ratings = 0;
      let onTime = 0;
      let total = 0;
      for (const id of g.bodies) {
        const f = feedbackOf.get(id);
        if (f) {
          ratingSum += f.sum;
          ratings += f.count;
        }
        const r = requestsOf.get(id);
        if (r) {
          onTime += r.sum;
          total += r.count;
        }
      }
      return {
        values: g.values,
        headcount: g.headcount,
        measures: {
          averageRating: ratings > 0 ? round(ratingSum / ratings, 2) : null,
          onTimeRate: total > 0 ? round(onTime / total, 3) : null,
        },
      };
    });
  };
}
