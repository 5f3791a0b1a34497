import DataLoader from 'dataloader';
import { createEntityLoader, lazySegmentLoader, type DirectoryModels, type ResolvedSegment, type SegmentComputer, type SegmentOptions } from '@civil-service/shared';
import type { PublicServiceDoc, ServicesQualityModels, ViolationDoc } from './models';
import { average, onTimeRate } from './rules/feedback';
import type { QualityMeasures } from './analytics/segments';

export interface ServantQuality {
  requestsHandled: number;
  onTimeRate: number | null;
  averageRating: number | null;
  feedbackCount: number;
  violations: ViolationDoc[];
}

export interface BodyQuality {
  year: number;
  requests: number;
  onTimeRate: number | null;
  averageRating: number | null;
  violationsCount: number;
}

/**
 * Asks for a loader's whole answer in the first reply. The server's default first batch is 101
 * documents, so without it a large page costs a `getMore` more than a small one, and round trips
 * grow with the page; the 16 MB reply limit still bounds a batch.
 */
export const ONE_REPLY = 100_000;

export interface Loaders {
  serviceByCode: DataLoader<string, PublicServiceDoc | null>;
  servantQuality: DataLoader<string, ServantQuality>;
  /** Keyed by `bodyQualityKey(stateBodyId, year)`. */
  bodyQuality: DataLoader<string, BodyQuality>;
  /**
   * WorkforceSegment keys of the request, one computation per question. Made on first use, with
   * the request's context: the caller (whose role decides suppression) is attached to the context
   * only once the operation is authenticated, after the loaders exist.
   */
  segments(context: unknown): DataLoader<string, ResolvedSegment<QualityMeasures>>;
}

export function bodyQualityKey(stateBodyId: string, year: number): string {
  return `${stateBodyId}|${year}`;
}

function yearRange(years: number[]): { $gte: Date; $lt: Date } {
  return {
    $gte: new Date(Date.UTC(Math.min(...years), 0, 1)),
    $lt: new Date(Date.UTC(Math.max(...years) + 1, 0, 1)),
  };
}

interface Sums {
  _id: string;
  requests?: number;
  onTime?: number;
  ratingSum?: number;
  count?: number;
}

interface BodyYearSums {
  _id: { b: string; y: number };
  requests?: number;
  onTime?: number;
  ratingSum?: number;
  count?: number;
}

/**
 * Per-request loaders: whatever the number of servants or bodies in a request, each collection is
 * read once per loader batch (one aggregation or find with `$in`).
 */
export function createLoaders(models: ServicesQualityModels & DirectoryModels, segmentOptions: SegmentOptions, compute: SegmentComputer<QualityMeasures>): Loaders {
  const serviceByCode = createEntityLoader<PublicServiceDoc>(
    (codes) => models.PublicService.find({ _id: { $in: [...codes] } }).batchSize(ONE_REPLY).lean<PublicServiceDoc[]>().exec(),
    (doc) => doc._id,
  );

  const servantQuality = new DataLoader<string, ServantQuality>(async (ids) => {
    const servantIds = [...ids];
    const [stats, feedback, violations] = await Promise.all([
      models.ServiceRequestStat.aggregate<Sums>([
        { $match: { servantId: { $in: servantIds } } },
        { $group: { _id: '$servantId', requests: { $sum: '$requests' }, onTime: { $sum: '$onTime' } } },
      ])
        .option({ batchSize: ONE_REPLY })
        .exec(),
      models.Feedback.aggregate<Sums>([
        { $match: { servantId: { $in: servantIds } } },
        { $group: { _id: '$servantId', ratingSum: { $sum: '$rating' }, count: { $sum: 1 } } },
      ])
        .option({ batchSize: ONE_REPLY })
        .exec(),
      models.Violation.find({ servantId: { $in: servantIds } })
        .sort({ detectedOn: -1, _id: -1 })
        .batchSize(ONE_REPLY)
        .lean<ViolationDoc[]>()
        .exec(),
    ]);
    const statsById = new Map(stats.map((s) => [String(s._id), s]));
    const feedbackById = new Map(feedback.map((f) => [String(f._id), f]));
    const violationsById = new Map<string, ViolationDoc[]>();
    for (const v of violations) {
      const key = String(v.servantId);
      const list = violationsById.get(key);
      if (list) list.push(v);
      else violationsById.set(key, [v]);
    }
    return servantIds.map((id) => {
      const s = statsById.get(id);
      const f = feedbackById.get(id);
      return {
        requestsHandled: s?.requests ?? 0,
        onTimeRate: onTimeRate(s?.requests ?? 0, s?.onTime ?? 0),
        averageRating: average(f?.ratingSum ?? 0, f?.count ?? 0),
        feedbackCount: f?.count ?? 0,
        violations: violationsById.get(id) ?? [],
      };
    });
  });

  const bodyQuality = new DataLoader<string, BodyQuality>(async (keys) => {
    const parsed = keys.map((k) => {
      const [b, y] = k.split('|');
      return { b, y: Number(y) };
    });
    const bodies = [...new Set(parsed.map((p) => p.b))];
    const years = [...new Set(parsed.map((p) => p.y))];
    const [stats, feedback, violations] = await Promise.all([
      models.ServiceRequestStat.aggregate<BodyYearSums>([
        { $match: { stateBodyId: { $in: bodies }, year: { $in: years } } },
        {
          $group: {
            _id: { b: '$stateBodyId', y: '$year' },
            requests: { $sum: '$requests' },
            onTime: { $sum: '$onTime' },
          },
        },
      ])
        .option({ batchSize: ONE_REPLY })
        .exec(),
      models.Feedback.aggregate<BodyYearSums>([
        { $match: { stateBodyId: { $in: bodies }, submittedOn: yearRange(years) } },
        {
          $group: {
            _id: { b: '$stateBodyId', y: { $year: '$submittedOn' } },
            ratingSum: { $sum: '$rating' },
            count: { $sum: 1 },
          },
        },
      ])
        .option({ batchSize: ONE_REPLY })
        .exec(),
      models.Violation.aggregate<BodyYearSums>([
        { $match: { stateBodyId: { $in: bodies }, detectedOn: yearRange(years) } },
        { $group: { _id: { b: '$stateBodyId', y: { $year: '$detectedOn' } }, count: { $sum: 1 } } },
      ])
        .option({ batchSize: ONE_REPLY })
        .exec(),
    ]);
    const index = (rows: BodyYearSums[]) => new Map(rows.map((r) => [bodyQualityKey(r._id.b, r._id.y), r]));
    const statsByKey = index(stats);
    const feedbackByKey = index(feedback);
    const violationsByKey = index(violations);
    return parsed.map(({ b, y }) => {
      const key = bodyQualityKey(b, y);
      const s = statsByKey.get(key);
      const f = feedbackByKey.get(key);
      return {
        year: y,
        requests: s?.requests ?? 0,
        onTimeRate: onTimeRate(s?.requests ?? 0, s?.onTime ?? 0),
        averageRating: average(f?.ratingSum ?? 0, f?.count ?? 0),
        violationsCount: violationsByKey.get(key)?.count ?? 0,
      };
    });
  });

  return {
    serviceByCode,
    servantQuality,
    bodyQuality,
    segments: lazySegmentLoader(compute, segmentOptions),
  };
}
