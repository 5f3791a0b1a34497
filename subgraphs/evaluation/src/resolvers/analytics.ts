import type { ResolvedSegment } from '@civil-service/shared';
import { evaluationAlerts } from '../analytics/alerts';
import type { EvaluationMeasures } from '../analytics/segments';
import type { Context } from './context';

type SegmentRef = ResolvedSegment<EvaluationMeasures>;

/** `WorkforceSegment` measures and the compliance alert list. */
export const analyticsResolvers = {
  Query: {
    evaluationAlerts(_parent: unknown, args: { filter?: unknown; first?: unknown; after?: unknown }, ctx: Context) {
      return evaluationAlerts(ctx.alertFacts, args, ctx, ctx.now(), ctx.rulesAt);
    },
  },

  WorkforceSegment: {
    // Every key of a request goes through one loader: one computation per distinct question. A
    // malformed key is refused by the loader with BAD_USER_INPUT, for this entity only.
    __resolveReference(ref: { key?: unknown }, ctx: Context): Promise<SegmentRef> {
      return ctx.loaders.segments(ctx).load(typeof ref.key === 'string' ? ref.key : '');
    },
    bandDistribution: (segment: SegmentRef) => segment.measures?.bandDistribution ?? null,
    assessmentRequiredCount: (segment: SegmentRef) => segment.measures?.assessmentRequiredCount ?? null,
  },
};
