import type { AlertConnection, ResolvedSegment } from '@civil-service/shared';
import { trainingAlerts } from '../analytics/alerts';
import type { TrainingMeasures } from '../analytics/segments';
import type { Context } from './context';

type Segment = ResolvedSegment<TrainingMeasures>;

export const analyticsQueryResolvers = {
  trainingAlerts(_parent: unknown, args: { filter?: unknown; first?: unknown; after?: unknown }, ctx: Context): Promise<AlertConnection> {
    return trainingAlerts(args, ctx, ctx);
  },
};

/** Measures are null when the segment is suppressed for the caller or unknown to this copy. */
export const workforceSegmentResolvers = {
  __resolveReference(ref: { key?: unknown }, ctx: Context): Promise<Segment> {
    // A malformed key is refused by the loader with BAD_USER_INPUT, for this entity only.
    return ctx.loaders.segments(ctx).load(typeof ref.key === 'string' ? ref.key : '');
  },
  key: (s: Segment) => s.key,
  trainedLast36Months: (s: Segment) => s.measures?.trained ?? null,
  trainingCoverage: (s: Segment) => s.measures?.coverage ?? null,
  averageTrainingHours: (s: Segment) => s.measures?.averageHours ?? null,
};
