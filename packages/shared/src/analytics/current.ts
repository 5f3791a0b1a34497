import type { DirectoryEntry } from '../directory/model';
import { ageBandOf, type SegmentQuery, type SegmentValues, type WorkforceDimension } from './dimensions';

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

const FILTERED: ReadonlyArray<keyof Placement & keyof SegmentQuery['filter']> = ['region', 'stateBodyId', 'stateBodyLevel', 'corps', 'categoryCode', 'gender'];

const VALUE_OF: Record<WorkforceDimension, (p: Placement, asOf: Date) => string | null> = {
  REGION: (p) => p.region,
  STATE_BODY: (p) => p.stateBodyId,
  STATE_BODY_LEVEL: (p) => p.stateBodyLevel,
  CORPS: (p) => p.corps,
  CATEGORY_CODE: (p) => p.categoryCode,
  GENDER: (p) => p.gender,
  AGE_BAND: (p, asOf) => ageBandOf(p.birthYear, asOf),
};

export interface CurrentGroup<A> {
  values: SegmentValues;
  headcount: number;
  acc: A;
}

/**
 * Today's question over servants held in memory: the servants `segmentStages` selects for a
 * current question (in service, every filter equal on the current placement), grouped by the same
 * values, each group's `acc` built by `add`. The pipelines answer questions about past days; the
 * subgraphs' tests hold the two to the same answers.
 */
export function groupCurrent<T, A>(
  servants: Iterable<T>,
  placement: (servant: T) => Placement | null,
  query: SegmentQuery,
  empty: () => A,
  add: (acc: A, servant: T, placement: Placement) => void,
): Array<CurrentGroup<A>> {
  const conditions = FILTERED.filter((field) => query.filter[field] !== undefined).map((field) => [field, query.filter[field]] as const);
  const getters = query.groupBy.map((d) => [d, VALUE_OF[d]] as const);
  // One dimension (the usual question) keys by its value: no array or string built per servant.
  const keyOf =
    getters.length === 1 ? (p: Placement) => getters[0][1](p, query.asOf) : (p: Placement) => getters.map(([, get]) => get(p, query.asOf)).join('\u0001');
  const groups = new Map<string | null, CurrentGroup<A>>();
  for (const servant of servants) {
    const p = placement(servant);
    if (!p) continue;
    let selected = true;
    for (const [field, value] of conditions) if (p[field] !== value) selected = false;
    if (!selected) continue;
    const key = keyOf(p);
    let group = groups.get(key);
    if (!group) {
      const values: SegmentValues = {};
      for (const [d, get] of getters) values[d] = get(p, query.asOf) ?? null;
      group = { values, headcount: 0, acc: empty() };
      groups.set(key, group);
    }
    group.headcount += 1;
    add(group.acc, servant, p);
  }
  return [...groups.values()];
}
