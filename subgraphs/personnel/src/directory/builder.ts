import type { ClientSession, Types } from 'mongoose';
import { directorySnapshot, type DirectoryPeriod, type DirectorySnapshot } from '@civil-service/shared';
import { IN_SERVICE, type AssignmentDoc, type CivilServantDoc, type PersonnelModels, type PositionDoc, type StateBodyDoc } from '../models';

export type { DirectorySnapshot };

/** What a snapshot needs of one assignment, from the database or from the seeder's plan. */
export interface SnapshotAssignment {
  start: Date;
  end: Date | null;
  position: Pick<PositionDoc, '_id' | 'corps' | 'categoryCode' | 'isManagerial' | 'rotationSubject'>;
  body: Pick<StateBodyDoc, '_id' | 'level' | 'region'>;
}

export interface SnapshotServant {
  _id: Types.ObjectId;
  status: string;
  gender: string;
  birthYear: number;
}

const MAX_CHAIN = 16;

/** The body and its ancestors, nearest first; a cycle in bad data stops the walk. */
export function bodyChainOf(bodyId: Types.ObjectId, parentOf: (id: string) => Types.ObjectId | null | undefined): string[] {
  const chain: string[] = [];
  let id: Types.ObjectId | null | undefined = bodyId;
  while (id && chain.length < MAX_CHAIN) {
    const hex = id.toHexString();
    if (chain.includes(hex)) break;
    chain.push(hex);
    id = parentOf(hex);
  }
  return chain;
}

/**
 * One servant's directory snapshot: every assignment as a period (oldest first), and the current
 * placement from the open assignment (the latest started, should bad data leave two) while the
 * servant is in service.
 */
export function snapshotOf(servant: SnapshotServant, assignments: readonly SnapshotAssignment[], parentOf: (id: string) => Types.ObjectId | null | undefined): DirectorySnapshot {
  const sorted = [...assignments].sort((a, b) => a.start.getTime() - b.start.getTime());
  const periods: DirectoryPeriod[] = sorted.map((a) => ({
    from: a.start,
    to: a.end,
    positionId: a.position._id.toHexString(),
    stateBodyId: a.body._id.toHexString(),
    stateBodyLevel: a.body.level,
    region: a.body.region,
    corps: a.position.corps,
    categoryCode: a.position.categoryCode,
    managerial: a.position.isManagerial,
    rotationSubject: a.position.rotationSubject,
  }));
  const openAt = (IN_SERVICE as readonly string[]).includes(servant.status) ? sorted.findLastIndex((a) => a.end === null) : -1;
  const open = openAt >= 0 ? sorted[openAt] : undefined;
  return directorySnapshot(
    { _id: servant._id.toHexString(), status: servant.status, gender: servant.gender, birthYear: servant.birthYear },
    periods,
    open ? periods[openAt] : undefined,
    open ? bodyChainOf(open.body._id, parentOf) : [],
  );
}

type ServantRow = Pick<CivilServantDoc, '_id' | 'status' | 'gender' | 'birthDate'>;
type AssignmentRow = Pick<AssignmentDoc, 'servantId' | 'positionId' | 'stateBodyId' | 'startDate' | 'endDate'>;
type BodyRow = Pick<StateBodyDoc, '_id' | 'level' | 'region' | 'parentId'>;

const hex = (id: Types.ObjectId) => id.toHexString();

/**
 * Snapshots of `ids` read from the register (inside `session` when given, so a write path sees its
 * own changes): a fixed number of queries whatever the number of servants, plus one per level of
 * body ancestry. Unknown ids are left out.
 */
export async function buildDirectorySnapshots(m: PersonnelModels, ids: readonly Types.ObjectId[], session?: ClientSession): Promise<DirectorySnapshot[]> {
  if (!ids.length) return [];
  const s = session ?? null;
  // One after the other: operations of one transaction must not run concurrently on its session.
  const servants = await m.CivilServant.find({ _id: { $in: ids } }, '_id status gender birthDate').session(s).lean<ServantRow[]>().exec();
  const assignments = await m.Assignment.find({ servantId: { $in: ids } }, 'servantId positionId stateBodyId startDate endDate').session(s).lean<AssignmentRow[]>().exec();
  const positionIds = [...new Set(assignments.map((a) => hex(a.positionId)))];
  const positions = new Map(
    (await m.Position.find({ _id: { $in: positionIds } }, '_id corps categoryCode isManagerial rotationSubject').session(s).lean<PositionDoc[]>().exec()).map((p) => [hex(p._id), p]),
  );
  const bodies = new Map<string, BodyRow>();
  let wanted = [...new Set(assignments.map((a) => hex(a.stateBodyId)))];
  for (let depth = 0; wanted.length && depth < MAX_CHAIN; depth += 1) {
    const found = await m.StateBody.find({ _id: { $in: wanted } }, '_id level region parentId').session(s).lean<BodyRow[]>().exec();
    for (const b of found) bodies.set(hex(b._id), b);
    wanted = [...new Set(found.map((b) => (b.parentId ? hex(b.parentId) : null)).filter((id): id is string => id !== null && !bodies.has(id)))];
  }
  const byServant = new Map<string, SnapshotAssignment[]>();
  for (const a of assignments) {
    const position = positions.get(hex(a.positionId));
    const body = bodies.get(hex(a.stateBodyId));
    // A dangling reference is a data-quality fault; the directory keeps what it can describe.
    if (!position || !body) continue;
    const key = hex(a.servantId);
    const list = byServant.get(key) ?? [];
    list.push({ start: a.startDate, end: a.endDate, position, body });
    byServant.set(key, list);
  }
  const parentOf = (id: string) => bodies.get(id)?.parentId ?? null;
  return servants.map((sv) =>
    snapshotOf({ _id: sv._id, status: sv.status, gender: sv.gender, birthYear: sv.birthDate.getUTCFullYear() }, byServant.get(hex(sv._id)) ?? [], parentOf),
  );
}
