import type { DirectoryEntry } from './directory/model';
/**
 * What the personnel seed hands the other subgraphs' seeders: the non-personal facts they need to
 * generate believable data about a servant, keyed by the servant's id (never an IIN or a name).
 */
export interface RosterEntry {
  servantId: string;
  stateBodyId: string;
  region: string;
  stateBodyLevel: string;
  corps: string | null;
  categoryCode: string | null;
  status: string;
  gender: string;
  birthYear: number;
  /** First entry to the civil service. */
  entryDate: Date;
  positionId: string | null;
  isManagerial: boolean;
}

/** A state body as the other subgraphs' seeders see it. */
export interface StateBodyEntry {
  id: string;
  name: string;
  level: string;
  region: string;
  parentId: string | null;
}

/**
 * A roster servant's directory entry as the seeders see them: one period from the entry day with
 * the current corps and post (closed on `today` when no longer in service). For tests that fill a
 * directory copy without personnel's feed.
 */
export function directoryEntryOfRoster(s: RosterEntry, seq: number, today: Date): DirectoryEntry {
  const inService = s.status === 'ACTIVE' || s.status === 'ON_LEAVE';
  const from = new Date(s.entryDate);
  const p = {
    from,
    to: inService ? null : today,
    positionId: s.positionId ?? '000000000000000000000000',
    stateBodyId: s.stateBodyId,
    stateBodyLevel: s.stateBodyLevel,
    region: s.region,
    corps: s.corps ?? 'B',
    categoryCode: s.categoryCode ?? 'C-4',
    managerial: s.isManagerial,
    rotationSubject: false,
  };
  return {
    _id: s.servantId,
    seq,
    changedAt: today,
    status: s.status,
    gender: s.gender,
    birthYear: s.birthYear,
    entryDate: from,
    stateBodyId: inService ? s.stateBodyId : null,
    stateBodyLevel: inService ? s.stateBodyLevel : null,
    region: inService ? s.region : null,
    corps: inService ? p.corps : null,
    categoryCode: inService ? p.categoryCode : null,
    bodyChain: inService ? [s.stateBodyId] : [],
    periods: [p],
  };
}
