import { Types } from 'mongoose';
import { directorySnapshot, type DirectoryEntry, type DirectoryModels, type DirectoryPeriod } from '@civil-service/shared';

/**
 * Directory entries for unit tests: there is no personnel here, so tests write the copy that
 * personnel's feed would fill. A period defaults to an open corps B post in an Astana central body.
 */
let seq = 0;

export const BODY = { ministry: '65a000000000000000000001', department: '65a000000000000000000002', akimat: '65a000000000000000000003' } as const;
/** Each test body with its ancestors (nearest first), as personnel's bodyChain would give them. */
const CHAINS: Record<string, string[]> = {
  [BODY.ministry]: [BODY.ministry],
  [BODY.department]: [BODY.department, BODY.ministry],
  [BODY.akimat]: [BODY.akimat],
};
const REGION_OF: Record<string, string> = { [BODY.ministry]: 'ASTANA', [BODY.department]: 'KARAGANDA', [BODY.akimat]: 'KARAGANDA' };
const LEVEL_OF: Record<string, string> = { [BODY.ministry]: 'CENTRAL', [BODY.department]: 'CENTRAL_TERRITORIAL_OBLAST', [BODY.akimat]: 'LOCAL_OBLAST' };

export function period(over: Partial<DirectoryPeriod> = {}): DirectoryPeriod {
  const stateBodyId = over.stateBodyId ?? BODY.ministry;
  return {
    from: new Date(Date.UTC(2015, 0, 12)),
    to: null,
    positionId: new Types.ObjectId().toHexString(),
    stateBodyId,
    stateBodyLevel: LEVEL_OF[stateBodyId] ?? 'CENTRAL',
    region: REGION_OF[stateBodyId] ?? 'ASTANA',
    corps: 'B',
    categoryCode: 'C-4',
    managerial: false,
    rotationSubject: false,
    ...over,
  };
}

export interface EntryOptions {
  periods?: DirectoryPeriod[];
  gender?: string;
  birthYear?: number;
  /** Not in service: the current placement is empty (the last period must be closed). */
  status?: string;
}

/** A servant's directory entry; the current placement is the open period, if any. */
export function directoryEntry(id: string, options: EntryOptions = {}): DirectoryEntry {
  const periods = options.periods ?? [period()];
  const open = periods.find((p) => p.to === null);
  seq += 1;
  const servant = { _id: id, status: options.status ?? (open ? 'ACTIVE' : 'DISMISSED'), gender: options.gender ?? 'FEMALE', birthYear: options.birthYear ?? 1985 };
  const chain = open ? (CHAINS[open.stateBodyId] ?? [open.stateBodyId]) : [];
  return { ...directorySnapshot(servant, periods, open, chain), seq: 1_000_000 + seq, changedAt: new Date(Date.UTC(2026, 0, 1)) };
}

/** Puts servants in the directory copy (so writes about them are accepted); returns their ids. */
export async function enlist(directory: DirectoryModels['Directory'], ...entries: Array<string | DirectoryEntry>): Promise<string[]> {
  const docs = entries.map((e) => (typeof e === 'string' ? directoryEntry(e) : e));
  if (docs.length) await directory.insertMany(docs);
  return docs.map((d) => d._id);
}
