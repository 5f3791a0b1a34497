import { alertConnection, callerOf, checkAlertFilter, sortAlerts, utcDay, type AlertConnection, type ResolvedSegment } from '@civil-service/shared';
import { repeatedViolationAlerts } from '../analytics/alerts';
import type { QualityMeasures } from '../analytics/segments';
import type { Context } from './context';

type Segment = ResolvedSegment<QualityMeasures>;

export const analyticsQueryResolvers = {
  async serviceQualityAlerts(_parent: unknown, args: { filter?: unknown; first?: unknown; after?: unknown }, ctx: Context): Promise<AlertConnection> {
    const filter = checkAlertFilter(args.filter);
    // Paging an empty list checks `first` and `after` before anything is read.
    alertConnection([], args.first, args.after);
    const today = utcDay(ctx.now());
    const alerts = await repeatedViolationAlerts(ctx.models, filter, callerOf(ctx), today, ctx.violationRulesAt(today));
    return alertConnection(sortAlerts(alerts), args.first, args.after);
  },
};

export const analyticsEntityResolvers = {
  WorkforceSegment: {
    // A bad key fails alone (BAD_USER_INPUT); the other keys of the batch still resolve.
    __resolveReference(ref: { key?: unknown }, ctx: Context): Promise<Segment> {
      return ctx.loaders.segments(ctx).load(typeof ref.key === 'string' ? ref.key : '');
    },
    // Suppressed, or a segment this copy of the directory does not have yet: no figures.
    averageRating: (s: Segment): number | null => s.measures?.averageRating ?? null,
    onTimeRate: (s: Segment): number | null => s.measures?.onTimeRate ?? null,
  },
};
