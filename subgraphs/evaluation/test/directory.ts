import { directorySnapshot, type DirectoryEntry, type DirectoryModels, type DirectoryPeriod } from '@civil-service/shared';

/**
 * Directory entries for unit tests, where no personnel feeds the copy: the subgraph refuses writes
 * about servants it does not know and groups its facts by these entries.
 */
let seq = 0;

export const day = (iso: string) => new Date(`${iso}T00:00:00Z`);

export interface PeriodSpec {
  from: string;
  to?: string | null;
  stateBodyId: string;
  region?: string;
  corps?: string;
  stateBodyLevel?: string;
  categoryCode?: string;
}

export interface EntrySpec {
  id: string;
  gender?: string;
  birthYear?: number;
  status?: string;
  /** Ancestors of the current body, nearest first (after the body itself). */
  ancestors?: string[];
  periods: PeriodSpec[];
}

function period(spec: PeriodSpec): DirectoryPeriod {
  const corps = spec.corps ?? 'B';
  return {
    from: day(spec.from),
    to: spec.to ? day(spec.to) : null,
    positionId: spec.stateBodyId,
    stateBodyId: spec.stateBodyId,
    stateBodyLevel: spec.stateBodyLevel ?? 'CENTRAL',
    region: spec.region ?? 'ASTANA',
    corps,
    categoryCode: spec.categoryCode ?? (corps === 'A' ? 'A-1' : 'C-4'),
    managerial: corps === 'A',
    rotationSubject: false,
  };
}

/** One servant's entry; in service when the last period is open. */
export function directoryEntry(spec: EntrySpec): DirectoryEntry {
  const periods = spec.periods.map(period);
  const last = periods.at(-1);
  const current = last?.to === null ? last : undefined;
  seq += 1;
  const servant = { _id: spec.id.toLowerCase(), status: spec.status ?? (current ? 'ACTIVE' : 'DISMISSED'), gender: spec.gender ?? 'FEMALE', birthYear: spec.birthYear ?? 1985 };
  const chain = current ? [current.stateBodyId, ...(spec.ancestors ?? [])] : [];
  return { ...directorySnapshot(servant, periods, current, chain), seq, changedAt: new Date() };
}

export async function insertDirectory(models: DirectoryModels, specs: EntrySpec[]): Promise<void> {
  await models.Directory.collection.insertMany(specs.map(directoryEntry) as never[]);
}

/** Known servants, in service in a body of ASTANA since 2015 (for tests that only need them to exist). */
export async function registerServants(models: DirectoryModels, ids: string[], stateBodyId = 'aaaaaaaaaaaaaaaaaaaaaaaa'): Promise<void> {
  await insertDirectory(
    models,
    ids.map((id) => ({ id, periods: [{ from: '2015-01-01', stateBodyId }] })),
  );
}
