import { badUserInput, callerOf, resolveWorkforce, segmentQueryOf, suppressesFor, type ResolvedSegment, type WorkforceDimension } from '@civil-service/shared';
import type { Context } from '../resolvers/context';
import { rotationFlows } from './flows';
import type { PersonnelMeasures } from './workforce';

type Segment = ResolvedSegment<PersonnelMeasures>;

const dimension = (d: WorkforceDimension) => (s: Segment) => s.values[d] ?? null;
const measure = <K extends keyof PersonnelMeasures>(k: K) => (s: Segment) => (s.measures ? s.measures[k] : null);

export const analyticsQueryResolvers = {
  async workforce(_: unknown, args: { groupBy?: unknown; filter?: unknown; asOf?: unknown }, ctx: Context) {
    const query = segmentQueryOf(args, ctx.now());
    // A well-formed id of no body is a mistake worth saying, not an empty answer.
    if (query.filter.stateBodyId !== undefined && !(await ctx.loaders.body.load(query.filter.stateBodyId))) {
      throw badUserInput(`filter.stateBodyId: no state body ${query.filter.stateBodyId}`, 'filter.stateBodyId');
    }
    return resolveWorkforce(query, ctx.computeSegments, ctx, { threshold: ctx.minCell, today: ctx.now });
  },

  rotationFlows(_: unknown, args: { from: Date; to: Date }, ctx: Context) {
    return rotationFlows(ctx.models, args.from, args.to, { suppress: suppressesFor(callerOf(ctx)?.role), threshold: ctx.minCell });
  },
};

export const analyticsTypeResolvers = {
  WorkforceSegment: {
    __resolveReference: (ref: { key?: unknown }, ctx: Context) => ctx.segments(ctx).load(String(ref.key)),
    key: (s: Segment) => s.key,
    asOf: (s: Segment) => s.query.asOf,
    region: dimension('REGION'),
    stateBodyLevel: dimension('STATE_BODY_LEVEL'),
    corps: dimension('CORPS'),
    categoryCode: dimension('CATEGORY_CODE'),
    gender: dimension('GENDER'),
    ageBand: dimension('AGE_BAND'),
    stateBody: (s: Segment, _: unknown, ctx: Context) => (s.values.STATE_BODY ? ctx.loaders.body.load(s.values.STATE_BODY) : null),
    suppressed: (s: Segment) => s.suppressed,
    headcount: measure('headcount'),
    vacancies: measure('vacancies'),
    womenShare: measure('womenShare'),
    averageTenureYears: measure('averageTenureYears'),
    sanctionsPer1000: measure('sanctionsPer1000'),
    rotationsLast12Months: measure('rotationsLast12Months'),
  },
};
