import type { DirectoryEntry } from '../directory/model';

/** Where a servant in service is placed now: the directory entry's current fields. */
export interface Placement {
  stateBodyId: string;
  region: string | null;
  stateBodyLevel: string | null;
  corps: string | null;
  categoryCode: string | null;
  gender: string;
  birthYear: number;
}

/** The entry's current placement; null when the servant is not in service. */
export function placementOf(entry: DirectoryEntry): Placement | null {
  if (entry.stateBodyId === null) return null;
  const { stateBodyId, region, stateBodyLevel, corps, categoryCode, gender, birthYear } = entry;
  return { stateBodyId, region, stateBodyLevel, corps, categoryCode, gender, birthYear };
}
