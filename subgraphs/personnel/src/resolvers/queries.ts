import { Types, type QueryFilter } from 'mongoose';
import { badUserInput, callerOf, forbidden } from '@civil-service/shared';
import type { CivilServantDoc, Corps, PositionDoc, Region, ServantStatus, StateBodyDoc, StateBodyLevel } from '../models';
import { parseCategoryCode } from '../rules/category';
import { isRegisterId, surnameKey } from '../rules/input';
import type { Context } from './context';

export const PAGE_DEFAULT = 20;
export const PAGE_MAX = 100;

export interface CivilServantFilter {
  stateBodyId?: string | null;
  // Enum-typed: GraphQL has already refused any value outside the enums.
  region?: Region | null;
  corps?: Corps | null;
  categoryCode?: string | null;
  status?: ServantStatus | null;
  nameStartsWith?: string | null;
}

export function requireId(value: string, field: string): Types.ObjectId {
  if (!isRegisterId(value)) throw badUserInput(`${field} must be a 24-character hexadecimal register id`, field);
  return new Types.ObjectId(value);
}

/** Cursors are the base64 of the last servant's id: opaque to clients, stable across writes. */
export const encodeCursor = (id: Types.ObjectId) => Buffer.from(id.toHexString(), 'utf8').toString('base64');

export function decodeCursor(cursor: string): Types.ObjectId {
  const hex = Buffer.from(cursor, 'base64').toString('utf8');
  if (!isRegisterId(hex) || encodeCursor(new Types.ObjectId(hex)) !== cursor) {
    throw badUserInput('after is not a cursor returned by this list', 'after');
  }
  return new Types.ObjectId(hex);
}

/** The list filter as a query on the denormalised current-assignment fields. */
export function servantQuery(filter: CivilServantFilter | null | undefined): QueryFilter<CivilServantDoc> {
  const q: QueryFilter<CivilServantDoc> = {};
  if (!filter) return q;
  if (filter.stateBodyId != null) q.currentStateBodyId = requireId(filter.stateBodyId, 'filter.stateBodyId');
  if (filter.region != null) q.currentRegion = filter.region;
  if (filter.corps != null) q.corps = filter.corps;
  if (filter.status != null) q.status = filter.status;
  if (filter.categoryCode != null) {
    const code = filter.categoryCode.trim().toUpperCase();
    if (!parseCategoryCode(code)) throw badUserInput('filter.categoryCode must look like C-O-4 (family and grade)', 'filter.categoryCode');
    q.currentCategoryCode = code;
  }
  if (filter.nameStartsWith != null) {
    const prefix = surnameKey(filter.nameStartsWith.trim());
    if (prefix.length > 60) throw badUserInput('filter.nameStartsWith must be at most 60 characters', 'filter.nameStartsWith');
    // A range on the lower-cased surname is an index scan on any MongoDB, unlike a regex with a
    // case-insensitive flag; \uffff sorts after every letter a name can hold.
    if (prefix) q.lastNameLower = { $gte: prefix, $lt: `${prefix}\uffff` };
  }
  return q;
}

/** Far above the register's size (a few thousand bodies); the server still caps a batch at 16 MB. */
const BODIES_BATCH = 100_000;

/** Per request (the context object), so aliased lists in one operation read state_bodies once. */
const hrScopes = new WeakMap<object, Promise<Types.ObjectId[]>>();

/** The hr caller's body and every body under it: one read of the hierarchy, walked in memory. */
function hrScopeOf(ctx: Context, stateBody: string): Promise<Types.ObjectId[]> {
  let scope = hrScopes.get(ctx);
  if (!scope) {
    scope = (async () => {
      // One batch: the driver's default first batch (101) would add a getMore per 101 bodies.
      const bodies = await ctx.models.StateBody.find({}, { parentId: 1 }).batchSize(BODIES_BATCH).lean<Pick<StateBodyDoc, '_id' | 'parentId'>[]>().exec();
      const children = new Map<string, Types.ObjectId[]>();
      for (const b of bodies) {
        const parent = b.parentId?.toHexString();
        if (!parent) continue;
        const siblings = children.get(parent);
        if (siblings) siblings.push(b._id);
        else children.set(parent, [b._id]);
      }
      const inScope = new Map<string, Types.ObjectId>();
      // The claim's body need not exist in the register: then the scope holds no servant.
      const queue = bodies.filter((b) => b._id.toHexString() === stateBody).map((b) => b._id);
      while (queue.length > 0) {
        const id = queue.pop()!;
        if (inScope.has(id.toHexString())) continue; // a cycle in bad data must not loop
        inScope.set(id.toHexString(), id);
        queue.push(...(children.get(id.toHexString()) ?? []));
      }
      return [...inScope.values()];
    })();
    hrScopes.set(ctx, scope);
  }
  return scope;
}

export const queryResolvers = {
  async civilServant(_: unknown, args: { id?: string | null; iin?: string | null }, ctx: Context) {
    const hasId = args.id !== null && args.id !== undefined;
    const hasIin = args.iin !== null && args.iin !== undefined;
    if (hasId === hasIin) throw badUserInput('give exactly one of id or iin', hasId ? 'iin' : 'id');
    if (hasId) return ctx.loaders.servant.load(requireId(args.id!, 'id').toHexString());
    const servant = await ctx.models.CivilServant.findOne({ iin: String(args.iin) }).lean<CivilServantDoc>().exec();
    if (servant) ctx.loaders.servant.prime(servant._id.toHexString(), servant);
    return servant;
  },

  async civilServants(_: unknown, args: { filter?: CivilServantFilter | null; first?: number | null; after?: string | null }, ctx: Context) {
    const first = args.first ?? PAGE_DEFAULT;
    if (!Number.isInteger(first) || first < 0) throw badUserInput('first must not be negative', 'first');
    const limit = Math.min(first, PAGE_MAX);
    let base = servantQuery(args.filter);
    // hr sees only servants now in its bodies; narrowing the query (rather than refusing each
    // out-of-scope servant's fields) keeps totalCount and pages true. A stateBodyId filter outside
    // the scope intersects to an empty page, not an error.
    const caller = callerOf(ctx);
    if (caller?.role === 'hr') {
      if (!caller.stateBody) throw forbidden('role hr needs a stateBody claim');
      base = { $and: [base, { currentStateBodyId: { $in: await hrScopeOf(ctx, caller.stateBody) } }] };
    }
    const page: QueryFilter<CivilServantDoc> =
      args.after !== null && args.after !== undefined ? { $and: [base, { _id: { $gt: decodeCursor(args.after) } }] } : base;
    const [docs, totalCount] = await Promise.all([
      limit === 0
        ? Promise.resolve([] as CivilServantDoc[])
        : ctx.models.CivilServant.find(page).sort({ _id: 1 }).limit(limit + 1).lean<CivilServantDoc[]>().exec(),
      ctx.models.CivilServant.countDocuments(base).exec(),
    ]);
    const nodes = docs.slice(0, limit);
    for (const n of nodes) ctx.loaders.servant.prime(n._id.toHexString(), n);
    const edges = nodes.map((node) => ({ cursor: encodeCursor(node._id), node }));
    return {
      totalCount,
      edges,
      pageInfo: { hasNextPage: docs.length > limit, endCursor: edges.length ? edges[edges.length - 1].cursor : null },
    };
  },

  stateBody: (_: unknown, args: { id: string }, ctx: Context) => ctx.loaders.body.load(requireId(args.id, 'id').toHexString()),

  async stateBodies(_: unknown, args: { region?: Region | null; level?: StateBodyLevel | null }, ctx: Context) {
    const q: QueryFilter<StateBodyDoc> = {};
    if (args.region != null) q.region = args.region;
    if (args.level != null) q.level = args.level;
    const bodies = await ctx.models.StateBody.find(q).sort({ name: 1, _id: 1 }).lean<StateBodyDoc[]>().exec();
    for (const b of bodies) ctx.loaders.body.prime(b._id.toHexString(), b);
    return bodies;
  },

  async positions(_: unknown, args: { stateBodyId: string; vacant?: boolean | null }, ctx: Context) {
    const q: QueryFilter<PositionDoc> = { stateBodyId: requireId(args.stateBodyId, 'stateBodyId') };
    if (args.vacant === true) q.holderId = null;
    if (args.vacant === false) q.holderId = { $ne: null };
    const positions = await ctx.models.Position.find(q).sort({ _id: 1 }).lean<PositionDoc[]>().exec();
    for (const p of positions) ctx.loaders.position.prime(p._id.toHexString(), p);
    return positions;
  },
};
