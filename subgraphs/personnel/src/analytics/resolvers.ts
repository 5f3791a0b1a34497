import { badUserInput, callerOf, resolveWorkforce, segmentQueryOf, suppressesFor, type ResolvedSegment, type WorkforceDimension } from '@civil-service/shared';
import type { StateBodyDoc } from '../models';
import type { Context } from '../resolvers/context';
import { rotationFlows } from './flows';
import type { PersonnelMeasures } from './workforce';

/** A segment as personnel answers it; `body`: its state body when read with the question. */
type Segment = ResolvedSegment<PersonnelMeasures> & { body?: StateBodyDoc };

const dimension = (d: WorkforceDimension) => (s: Segment) => s.values[d] ?? null;
const measure = <K extends keyof PersonnelMeasures>(k: K) => (s: Segment) => (s.measures ? s.measures[k] : null);

export const analyticsQueryResolvers = {
  async workforce(_: unknown, args: { groupBy?: unknown; filter?: unknown; asOf?: unknown }, ctx: Context) {
    const query = segmentQueryOf(args, ctx.now());
    // A well-formed id of no body is a mistake worth saying, not an empty answer.
    if (query.filter.stateBodyId !== undefined && !(await ctx.loaders.body.load(query.filter.stateBodyId))) {
      throw badUserInput(`filter.stateBodyId: no state body ${query.filter.stateBodyId}`, 'filter.stateBodyId');
    }
    const byBody = query.groupBy.includes('STATE_BODY');
    const [segments, bodies] = await Promise.all([
      resolveWorkforce(query, ctx.computeSegments, ctx, { threshold: ctx.minCell, today: ctx.now }),
      byBody ? ctx.stateBodies() : null,
    ]);
    // Thousands of segments by body: their bodies from memory make `stateBody` a plain value, not
    // one loader promise per segment (which made graphql-js resolve every segment asynchronously).
    if (!bodies) return segments;
    return segments.map((s): Segment => ({ ...s, body: s.values.STATE_BODY ? bodies.get(s.values.STATE_BODY) : undefined }));
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
    stateBody: (s: Segment, _: unknown, ctx: Context) => s.body ?? (s.values.STATE_BODY ? ctx.loaders.body.load(s.values.STATE_BODY) : null),
    suppressed: (s: Segment) => s.suppressed,
    headcount: measure('headcount'),
    vacancies: measure('vacancies'),
    womenShare: measure('womenShare'),
    averageTenureYears: measure('averageTenureYears'),
    sanctionsPer1000: measure('sanctionsPer1000'),
    rotationsLast12Months: measure('rotationsLast12Months'),
  },
};
