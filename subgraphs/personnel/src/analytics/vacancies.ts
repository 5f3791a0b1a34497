import { Types, type Connection, type QueryFilter } from 'mongoose';
import { cellIdOf, CountedValue, type SegmentQuery, type SegmentValues, type WorkforceDimension } from '@civil-service/shared';
import type { PersonnelModels, PositionDoc, StateBodyDoc } from '../models';
import { FIRST_BATCH } from './batch';

/** Dimensions a position has; a vacancy has no gender or age. */
const POSITION_DIMENSIONS: ReadonlySet<WorkforceDimension> = new Set(['REGION', 'STATE_BODY', 'STATE_BODY_LEVEL', 'CORPS', 'CATEGORY_CODE']);

/** Whether a question can have vacancies: not when it groups or filters by a servant's own attributes. */
export function hasVacancies(query: SegmentQuery): boolean {
  return query.filter.gender === undefined && query.groupBy.every((d) => POSITION_DIMENSIONS.has(d));
}

type BodyRow = Pick<StateBodyDoc, '_id' | 'level' | 'region'>;

interface PositionGroup {
  _id: { body?: Types.ObjectId; corps?: string; categoryCode?: string };
  n: number;
}

/**
 * Positions of the staff list matching the question, counted per segment (by cell id): one
 * positions pipeline grouped by body, corps and category as the question needs, plus one read of
 * the bodies when region or level is asked (a few thousand bodies, not one per segment).
 */
export async function positionsPerCell(m: PersonnelModels, query: SegmentQuery): Promise<Map<string, number>> {
  const { filter, groupBy } = query;
  const needsBodies = filter.region !== undefined || filter.stateBodyLevel !== undefined || groupBy.includes('REGION') || groupBy.includes('STATE_BODY_LEVEL');
  const match: QueryFilter<PositionDoc> = {};
  let bodies = new Map<string, BodyRow>();
  if (needsBodies) {
    const q: QueryFilter<StateBodyDoc> = {};
    if (filter.region !== undefined) q.region = filter.region as StateBodyDoc['region'];
    if (filter.stateBodyLevel !== undefined) q.level = filter.stateBodyLevel as StateBodyDoc['level'];
    if (filter.stateBodyId !== undefined) q._id = new Types.ObjectId(filter.stateBodyId);
    const rows = await m.StateBody.find(q, '_id level region').batchSize(FIRST_BATCH).lean<BodyRow[]>().exec();
    bodies = new Map(rows.map((b) => [b._id.toHexString(), b]));
    if (filter.region !== undefined || filter.stateBodyLevel !== undefined) match.stateBodyId = { $in: rows.map((b) => b._id) };
  }
  if (filter.stateBodyId !== undefined) match.stateBodyId = new Types.ObjectId(filter.stateBodyId);
  if (filter.corps !== undefined) match.corps = filter.corps as PositionDoc['corps'];
  if (filter.categoryCode !== undefined) match.categoryCode = filter.categoryCode;
  if (needsBodies && filter.stateBodyId !== undefined && !bodies.size) return new Map();

  const key: Record<string, string> = {};
  if (groupBy.some((d) => d === 'REGION' || d === 'STATE_BODY' || d === 'STATE_BODY_LEVEL')) key.body = '$stateBodyId';
  if (groupBy.includes('CORPS')) key.corps = '$corps';
  if (groupBy.includes('CATEGORY_CODE')) key.categoryCode = '$categoryCode';
  const groups = await m.Position.aggregate<PositionGroup>([{ $match: match }, { $group: { _id: key, n: { $sum: 1 } } }])
    .option({ batchSize: FIRST_BATCH })
    .exec();

  const out = new Map<string, number>();
  for (const g of groups) {
    const bodyId = g._id.body ? g._id.body.toHexString() : null;
    const body = bodyId ? bodies.get(bodyId) : undefined;
    const values: SegmentValues = {
      REGION: body?.region ?? null,
      STATE_BODY: bodyId,
      STATE_BODY_LEVEL: body?.level ?? null,
      CORPS: g._id.corps ?? null,
      CATEGORY_CODE: g._id.categoryCode ?? null,
    };
    const cell = cellIdOf(groupBy, values);
    out.set(cell, (out.get(cell) ?? 0) + g.n);
  }
  return out;
}

/**
 * The counter whose epoch the seeder renews when it writes a staff list and its state bodies. No
 * write path creates a position or a body, or changes a position's body, corps or category, or a
 * body (they only move holders, which the directory tells), so both change only then.
 */
export const STAFF_LIST_COUNTER = 'staff_list';

/** Positions of one body, corps and category, with the body's level and region (null for an unknown body). */
interface StaffRow {
  body: string;
  level: string | null;
  region: string | null;
  corps: string;
  categoryCode: string;
  n: number;
}

/** The staff list and the state bodies, as read together. */
interface StaffListData {
  rows: StaffRow[];
  bodies: ReadonlyMap<string, StateBodyDoc>;
}

/**
 * The staff list in memory, counted per body, corps and category (a few thousand rows for
 * 100,000 positions), and the state bodies themselves (a few thousand): today's workforce
 * questions count a segment's positions from it instead of grouping every position per question,
 * and segments by body name their body without a read per question. One counter read per
 * question says whether it is current.
 */
export class StaffList {
  private readonly loaded: CountedValue<StaffListData>;

  constructor(
    db: Connection,
    private readonly m: PersonnelModels,
  ) {
    this.loaded = new CountedValue(db, [STAFF_LIST_COUNTER]);
  }

  async rows(): Promise<StaffRow[]> {
    return (await this.data()).rows;
  }

  /** Every state body by id (the documents the body loader reads). */
  async bodies(): Promise<ReadonlyMap<string, StateBodyDoc>> {
    return (await this.data()).bodies;
  }

  private data(): Promise<StaffListData> {
    return this.loaded.get('', () => this.read());
  }

  private async read(): Promise<StaffListData> {
    const [groups, bodyDocs] = await Promise.all([
      this.m.Position.aggregate<{ _id: { body: Types.ObjectId; corps: string; categoryCode: string }; n: number }>([
        { $group: { _id: { body: '$stateBodyId', corps: '$corps', categoryCode: '$categoryCode' }, n: { $sum: 1 } } },
      ])
        .option({ batchSize: FIRST_BATCH })
        .exec(),
      this.m.StateBody.find({}).batchSize(FIRST_BATCH).lean<StateBodyDoc[]>().exec(),
    ]);
    const bodies = new Map(bodyDocs.map((b) => [b._id.toHexString(), b]));
    const rows = groups.map(({ _id, n }) => {
      const body = _id.body.toHexString();
      return { body, level: bodies.get(body)?.level ?? null, region: bodies.get(body)?.region ?? null, corps: _id.corps, categoryCode: _id.categoryCode, n };
    });
    return { rows, bodies };
  }
}

/** `positionsPerCell` from the staff list in memory: the same counts (the workforce test compares them). */
export function positionsPerCellOf(rows: readonly StaffRow[], query: SegmentQuery): Map<string, number> {
  const { filter, groupBy } = query;
  const out = new Map<string, number>();
  for (const row of rows) {
    if (filter.region !== undefined && row.region !== filter.region) continue;
    if (filter.stateBodyLevel !== undefined && row.level !== filter.stateBodyLevel) continue;
    if (filter.stateBodyId !== undefined && row.body !== filter.stateBodyId) continue;
    if (filter.corps !== undefined && row.corps !== filter.corps) continue;
    if (filter.categoryCode !== undefined && row.categoryCode !== filter.categoryCode) continue;
    const values: SegmentValues = { REGION: row.region, STATE_BODY: row.body, STATE_BODY_LEVEL: row.level, CORPS: row.corps, CATEGORY_CODE: row.categoryCode };
    const cell = cellIdOf(groupBy, values);
    out.set(cell, (out.get(cell) ?? 0) + row.n);
  }
  return out;
}
