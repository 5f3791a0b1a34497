import { AGE_BAND_FLOORS, AGE_BANDS, type SegmentQuery, type SegmentValues, type WorkforceDimension } from './dimensions';
import type { Placement } from './current';

const COLUMNS = ['region', 'stateBodyId', 'stateBodyLevel', 'corps', 'categoryCode', 'gender'] as const;
type Column = (typeof COLUMNS)[number];

const COLUMN_OF: Record<Exclude<WorkforceDimension, 'AGE_BAND'>, Column> = {
  REGION: 'region',
  STATE_BODY: 'stateBodyId',
  STATE_BODY_LEVEL: 'stateBodyLevel',
  CORPS: 'corps',
  CATEGORY_CODE: 'categoryCode',
  GENDER: 'gender',
};

/**
 * The servants in service as columns: each placement field as a code per row (-1 for null) with
 * its dictionary. Why: a question touches every servant, and walking 100,000 objects scattered
 * over the heap costs tens of milliseconds in cache misses and garbage; a pass over typed arrays
 * costs about one. Built once per version of the facts; rows are in the order given.
 */
export interface PlacementTable {
  size: number;
  /** Row → servant id, and back. */
  ids: string[];
  rowOf: Map<string, number>;
  codes: Record<Column, Int32Array>;
  dictionary: Record<Column, string[]>;
  codeOf: Record<Column, Map<string, number>>;
  birthYear: Int32Array;
}

export function placementTable(rows: Iterable<readonly [string, Placement]>): PlacementTable {
  const list = [...rows];
  const size = list.length;
  const codes = {} as Record<Column, Int32Array>;
  const dictionary = {} as Record<Column, string[]>;
  const codeOf = {} as Record<Column, Map<string, number>>;
  for (const column of COLUMNS) {
    codes[column] = new Int32Array(size);
    dictionary[column] = [];
    codeOf[column] = new Map();
  }
  const birthYear = new Int32Array(size);
  const ids: string[] = new Array<string>(size);
  const rowOf = new Map<string, number>();
  list.forEach(([id, p], row) => {
    ids[row] = id;
    rowOf.set(id, row);
    birthYear[row] = p.birthYear;
    for (const column of COLUMNS) {
      const value = p[column];
      if (value === null) {
        codes[column][row] = -1;
        continue;
      }
      let code = codeOf[column].get(value);
      if (code === undefined) {
        code = dictionary[column].length;
        dictionary[column].push(value);
        codeOf[column].set(value, code);
      }
      codes[column][row] = code;
    }
  });
  return { size, ids, rowOf, codes, dictionary, codeOf, birthYear };
}

/** Key spaces up to this size are looked up through an array (4 bytes each) instead of a Map. */
const DIRECT_KEYS = 1 << 18;

/** A question's segments over a table: each row's group (-1: not selected) and each group's values and headcount. */
export interface TableGroups {
  groupOf: Int32Array;
  groups: Array<{ values: SegmentValues; headcount: number }>;
}

/** The age band's index of each birth year on `asOf` (`ageBandOf`, as an array lookup). */
function ageBandIndex(birthYear: number, asOf: Date): number {
  const age = asOf.getUTCFullYear() - birthYear;
  let band = 0;
  AGE_BAND_FLOORS.forEach((floor, i) => {
    if (age >= floor) band = i;
  });
  return band;
}

/**
 * The servants a current question selects (in service, every filter equal on the current
 * placement, as `segmentStages` selects them for today) and their segments, in one pass over the
 * codes. The subgraphs' segments-memory tests hold the answers to the pipelines'.
 */
export function groupTable(table: PlacementTable, query: SegmentQuery): TableGroups {
  const groupOf = new Int32Array(table.size).fill(-1);
  const groups: TableGroups['groups'] = [];
  const conditions: Array<[Int32Array, number]> = [];
  for (const column of COLUMNS) {
    const value = query.filter[column];
    if (value === undefined) continue;
    const code = table.codeOf[column].get(value);
    if (code === undefined) return { groupOf, groups };
    conditions.push([table.codes[column], code]);
  }
  // A group key as one number: each dimension's code + 1 (0 for null) in mixed radix.
  const dims = query.groupBy.map((d) => {
    if (d === 'AGE_BAND') {
      const year = query.asOf.getUTCFullYear();
      const bandOfYear = new Map<number, number>();
      const codes = new Int32Array(table.size);
      for (let r = 0; r < table.size; r++) {
        const born = table.birthYear[r];
        let band = bandOfYear.get(born);
        if (band === undefined) bandOfYear.set(born, (band = ageBandIndex(born, new Date(Date.UTC(year, 0, 1)))));
        codes[r] = band;
      }
      return { dimension: d, codes, names: AGE_BANDS as readonly string[] };
    }
    const column = COLUMN_OF[d];
    return { dimension: d, codes: table.codes[column], names: table.dictionary[column] };
  });
  const radix = dims.map((d) => d.names.length + 1);
  const keySpace = radix.reduce((a, b) => a * b, 1);
  // A key's group through an array when the keys are few enough (by state body, ~2,900): a Map
  // lookup per servant was most of a question's pass over 100,000 rows.
  const groupOfKeyArray = keySpace <= DIRECT_KEYS ? new Int32Array(keySpace).fill(-1) : null;
  const groupOfKey = groupOfKeyArray ? null : new Map<number, number>();
  const dimCodes = dims.map((d) => d.codes);
  const single = dims.length === 1 ? dimCodes[0] : null;
  const conditionCodes = conditions.map(([codes]) => codes);
  const conditionValues = conditions.map(([, code]) => code);
  const headcounts: number[] = [];
  const stateBody = table.codes.stateBodyId;
  rows: for (let r = 0; r < table.size; r++) {
    if (stateBody[r] < 0) continue;
    for (let c = 0; c < conditionCodes.length; c++) if (conditionCodes[c][r] !== conditionValues[c]) continue rows;
    let key = 0;
    if (single) key = single[r] + 1;
    else for (let i = 0; i < dimCodes.length; i++) key = key * radix[i] + dimCodes[i][r] + 1;
    let g = groupOfKeyArray ? groupOfKeyArray[key] : (groupOfKey!.get(key) ?? -1);
    if (g < 0) {
      g = groups.length;
      if (groupOfKeyArray) groupOfKeyArray[key] = g;
      else groupOfKey!.set(key, g);
      const values: SegmentValues = {};
      for (const { dimension, codes, names } of dims) values[dimension] = codes[r] < 0 ? null : names[codes[r]];
      groups.push({ values, headcount: 0 });
      headcounts.push(0);
    }
    groupOf[r] = g;
    headcounts[g] += 1;
  }
  for (let g = 0; g < groups.length; g++) groups[g].headcount = headcounts[g];
  return { groupOf, groups };
}

/** The table of a fact store's servants, built once per version of the facts (`at`). */
export function factsTable<F>(
  store: { derive<T>(name: string, key: string, compute: (facts: ReadonlyMap<string, F>) => T | Promise<T>, at?: { version: string; facts: ReadonlyMap<string, F> }): Promise<T> },
  at: { version: string; facts: ReadonlyMap<string, F> },
  placement: (facts: F) => Placement,
): Promise<PlacementTable> {
  return store.derive('placement table', '', (facts) => placementTable([...facts].map(([id, f]) => [id, placement(f)] as const)), at);
}
