import { Types } from 'mongoose';
import type {
  AssignmentDoc,
  CivilServantDoc,
  PositionDoc,
  RotationDoc,
  StateBodyDoc,
} from '../models';
import { isRegisterId } from '../rules/input';
import { computeTenure } from '../rules/tenure';
import type { Context } from './context';

const hex = (id: Types.ObjectId) => id.toHexString();
const idField = { id: (d: { _id: Types.ObjectId }) => hex(d._id) };

/** Field resolvers of the personnel types; every follow-up read goes through the request's loaders. */
export const typeResolvers = {
  CivilServant: {
    ...idField,
    __resolveReference: (ref: { id?: unknown }, ctx: Context) => (isRegisterId(ref.id) ? ctx.loaders.servant.load(ref.id.toLowerCase()) : null),
    async currentAssignment(s: CivilServantDoc, _: unknown, ctx: Context) {
      if (!s.currentAssignmentId) return null;
      const all = await ctx.loaders.assignments.load(hex(s._id));
      return all.find((a) => a._id.equals(s.currentAssignmentId!)) ?? null;
    },
    assignments: (s: CivilServantDoc, _: unknown, ctx: Context) => ctx.loaders.assignments.load(hex(s._id)),
    async civilServiceTenure(s: CivilServantDoc, _: unknown, ctx: Context) {
      const all = await ctx.loaders.assignments.load(hex(s._id));
      return computeTenure(all.map((a) => ({ start: a.startDate, end: a.endDate })), ctx.now());
    },
    education: (s: CivilServantDoc, _: unknown, ctx: Context) => ctx.loaders.education.load(hex(s._id)),
    reserveMemberships: (s: CivilServantDoc, _: unknown, ctx: Context) => ctx.loaders.reserve.load(hex(s._id)),
    rotations: (s: CivilServantDoc, _: unknown, ctx: Context) => ctx.loaders.rotations.load(hex(s._id)),
    incentives: (s: CivilServantDoc, _: unknown, ctx: Context) => ctx.loaders.incentives.load(hex(s._id)),
    sanctions: (s: CivilServantDoc, _: unknown, ctx: Context) => ctx.loaders.sanctions.load(hex(s._id)),
    corruptionRecords: (s: CivilServantDoc, _: unknown, ctx: Context) => ctx.loaders.corruption.load(hex(s._id)),
  },
  Assignment: {
    ...idField,
    position: (a: AssignmentDoc, _: unknown, ctx: Context) => ctx.loaders.position.load(hex(a.positionId)),
  },
  Rotation: {
    fromBody: (r: RotationDoc, _: unknown, ctx: Context) => ctx.loaders.body.load(hex(r.fromBodyId)),
    toBody: (r: RotationDoc, _: unknown, ctx: Context) => ctx.loaders.body.load(hex(r.toBodyId)),
  },
  Sanction: idField,
  StateBody: {
    ...idField,
    __resolveReference: (ref: { id?: unknown }, ctx: Context) => (isRegisterId(ref.id) ? ctx.loaders.body.load(ref.id.toLowerCase()) : null),
    parent: (b: StateBodyDoc, _: unknown, ctx: Context) => (b.parentId ? ctx.loaders.body.load(hex(b.parentId)) : null),
    headcount: async (b: StateBodyDoc, _: unknown, ctx: Context) => (await ctx.loaders.headcount.load(hex(b._id)))?.n ?? 0,
  },
  Position: {
    ...idField,
    __resolveReference: (ref: { id?: unknown }, ctx: Context) => (isRegisterId(ref.id) ? ctx.loaders.position.load(ref.id.toLowerCase()) : null),
    vacant: (p: PositionDoc) => p.holderId === null || p.holderId === undefined,
    stateBody: (p: PositionDoc, _: unknown, ctx: Context) => ctx.loaders.body.load(hex(p.stateBodyId)),
  },
};
