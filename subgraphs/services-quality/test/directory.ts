import { directorySnapshot, type DirectoryEntry, type DirectoryModels, type DirectoryPeriod } from '@civil-service/shared';

/**
 * Unit tests run without personnel, so they fill the subgraph's directory copy themselves. These
 * build entries of the shape personnel's feed writes.
 */
export interface TestBody {
  id: string;
  region: string;
  level: string;
  /** The body's ancestors, nearest first (hr's scope). */
  parents?: string[];
}

export interface TestPeriod {
  body: TestBody;
  from: string;
  /** Last day, inclusive; omitted while held. */
  to?: string;
  corps?: string;
  categoryCode?: string;
}

let seq = 0;

export function directoryEntry(id: string, periods: TestPeriod[], extra: Partial<Pick<DirectoryEntry, 'gender' | 'birthYear' | 'status'>> = {}): DirectoryEntry {
  const full: DirectoryPeriod[] = periods.map((p, i) => ({
    from: new Date(p.from),
    to: p.to ? new Date(p.to) : null,
    positionId: `${id.slice(0, 20)}${String(i).padStart(4, '0')}`,
    stateBodyId: p.body.id,
    stateBodyLevel: p.body.level,
    region: p.body.region,
    corps: p.corps ?? 'B',
    categoryCode: p.categoryCode ?? 'E-2',
    managerial: false,
    rotationSubject: false,
  }));
  const last = periods.at(-1);
  const current = last && !last.to ? last : undefined;
  seq += 1;
  const servant = { _id: id, status: extra.status ?? (current ? 'ACTIVE' : 'DISMISSED'), gender: extra.gender ?? 'FEMALE', birthYear: extra.birthYear ?? 1985 };
  const chain = current ? [current.body.id, ...(current.body.parents ?? [])] : [];
  return { ...directorySnapshot(servant, full, current ? full.at(-1) : undefined, chain), seq, changedAt: new Date('2026-01-01') };
}

/** A servant in service at `body` since 2015, for tests that only need the servant to exist. */
export function servantAt(id: string, body: TestBody): DirectoryEntry {
  return directoryEntry(id, [{ body, from: '2015-01-01' }]);
}

export async function fillDirectory(models: DirectoryModels, entries: DirectoryEntry[]): Promise<void> {
  await models.Directory.insertMany(entries);
}
