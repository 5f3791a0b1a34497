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
