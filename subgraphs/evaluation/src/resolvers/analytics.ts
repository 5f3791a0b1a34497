import { evaluationAlerts } from '../analytics/alerts';
import type { EvaluationMeasures } from '../analytics/segments';
import type { Context } from './context';

interface SegmentRef {
  key: string;
  measures: EvaluationMeasures | null;
}

/** `WorkforceSegment` measures and the compliance alert list. */
export const analyticsResolvers = {
  Query: {
    evaluationAlerts(_parent: unknown, args: { filter?: unknown; first?: unknown; after?: unknown }, ctx: Context) {
      return evaluationAlerts(ctx.alertFacts, args, ctx, ctx.now(), ctx.rulesAt);
    },
  },

  WorkforceSegment: {
    // Every key of a request goes through one loader: one pipeline per distinct question.
    async __resolveReference(ref: { key?: unknown }, ctx: Context): Promise<SegmentRef> {
      const segment = await ctx.loaders.segments(ctx).load(ref.key as string);
      return { key: segment.key, measures: segment.measures };
    },
    bandDistribution: (segment: SegmentRef) => segment.measures?.bandDistribution ?? null,
    assessmentRequiredCount: (segment: SegmentRef) => segment.measures?.assessmentRequiredCount ?? null,
  },
};
