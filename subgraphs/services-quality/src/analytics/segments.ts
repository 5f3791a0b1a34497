import type { Connection, PipelineStage } from 'mongoose';
import {
  addUtcMonths,
  factsTable,
  groupTable,
  isoDay,
  placementOf,
  segmentStages,
  segmentValuesOf,
  copyFacts,
  CountedValue,
  type DirectoryCopy,
  type DirectoryModels,
  type Logger,
  type Placement,
  type SegmentComputer,
  type ServantFacts,
  type SegmentQuery,
} from '@civil-service/shared';
import { FEEDBACK_COUNTER, REQUEST_TOTALS_COUNTER, type ServicesQualityModels } from '../models';
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

export function placementFacts(db: Connection, directory: DirectoryCopy, logger?: Logger) {
  return copyFacts<never, Placement>(db, directory, { build: (entry) => placementOf(entry), ...(logger ? { logger } : {}) });
}

interface WindowFigures {
  feedback: Map<string, BodySums>;
  requests: Map<string, BodySums>;
}

/** The window's feedback and monthly request totals per body (all bodies, or the one filtered on). */
async function readWindow(models: ServicesQualityModels, asOf: Date, stateBodyId?: string): Promise<WindowFigures> {
  const window = measureWindow(asOf);
  const body = stateBodyId ? { stateBodyId } : {};
  const [feedback, requests] = await Promise.all([
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
  return { feedback: new Map(feedback.map((f) => [f._id, f])), requests: new Map(requests.map((r) => [r._id, r])) };
}

/**
 * Today's window per body, for every body, kept until the day changes or feedback or totals are
 * written (`FEEDBACK_COUNTER`, `REQUEST_TOTALS_COUNTER`, moved in the writing transaction or by
 * the rebuild and the seeder): two counter reads per question instead of two pipelines over the
 * window. A body filter picks from it the sums its pipeline would give.
 */
export class TodaysWindow {
  private readonly kept: CountedValue<WindowFigures>;

  constructor(private readonly models: ServicesQualityModels) {
    this.kept = new CountedValue(models.Feedback.db, [FEEDBACK_COUNTER, REQUEST_TOTALS_COUNTER]);
  }

  figures(asOf: Date): Promise<WindowFigures> {
    return this.kept.get(isoDay(asOf), () => readWindow(this.models, asOf));
  }
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
  const at = await store.current();
  const table = await factsTable(store, at, (p) => p);
  const { groupOf, groups } = groupTable(table, query);
  const bodyCodes = table.codes.stateBodyId;
  const bodyCount = table.dictionary.stateBodyId.length;
  // Each (segment, body) once, as one number.
  const pairs = new Set<number>();
  for (let r = 0; r < table.size; r++) if (groupOf[r] >= 0) pairs.add(groupOf[r] * bodyCount + bodyCodes[r]);
  const bodies = groups.map((): string[] => []);
  for (const pair of pairs) bodies[Math.floor(pair / bodyCount)].push(table.dictionary.stateBodyId[pair % bodyCount]);
  return groups.map((g, i) => ({ values: g.values, headcount: g.headcount, bodies: bodies[i] }));
}

/**
 * All the segments of a question from three reads run side by side, whatever the number of
 * segments: the segments with their bodies (today's from the placements in memory, a past day's
 * through the directory pipeline), the feedback of the window per body, the monthly request totals
 * of the window's months per body. A segment's figures are sums over its bodies (a ratio of sums,
 * never a mean of the bodies' means). Without a body filter the two fact pipelines read the whole
 * window through the date indexes: a question by region or by body covers nearly every body.
 */
export function qualitySegmentComputer(models: ServicesQualityModels & DirectoryModels, today?: { placements: PlacementStore; window: TodaysWindow }): SegmentComputer<QualityMeasures> {
  return async (query: SegmentQuery) => {
    const fromMemory = query.current && today;
    const [groups, window] = await Promise.all([
      fromMemory ? groupsFromMemory(today.placements, query) : groupsFromPipeline(models, query),
      fromMemory ? today.window.figures(query.asOf) : readWindow(models, query.asOf, query.filter.stateBodyId),
    ]);
    const feedbackOf = window.feedback;
    const requestsOf = window.requests;
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
