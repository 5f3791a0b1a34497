import { badUserInput } from '../errors';
import { checkAsOf, checkGroupBy, checkWorkforceFilter, isToday, WORKFORCE_DIMENSIONS, type SegmentQuery, type SegmentValues, type WorkforceDimension } from './dimensions';

/**
 * A WorkforceSegment's entity key. It carries the whole question (groupBy, filter, asOf) and the
 * segment's dimension values, so that every subgraph can compute its measures for the segment
 * without asking personnel anything. It is opaque to callers (base64url of JSON) but never trusted:
 * a forged key is checked like any other input, and access decisions (suppression) are recomputed
 * by each subgraph from its own data.
 */
interface KeyBody {
  v: 1;
  asOf: string;
  by: WorkforceDimension[];
  f: SegmentQuery['filter'];
  c: Array<string | null>;
}

/** A cell's values as a string in `groupBy` order: how cells computed by a pipeline are matched to keys. */
export function cellIdOf(groupBy: readonly WorkforceDimension[], values: SegmentValues): string {
  return JSON.stringify(groupBy.map((d) => values[d] ?? null));
}

export function encodeSegmentKey(query: SegmentQuery, values: SegmentValues): string {
  const body: KeyBody = { v: 1, asOf: query.asOf.toISOString().slice(0, 10), by: query.groupBy, f: query.filter, c: query.groupBy.map((d) => values[d] ?? null) };
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

export interface DecodedSegmentKey {
  query: SegmentQuery;
  values: SegmentValues;
}

/** The checked question of a key, by its raw question fields: the keys of one request share it. */
export type QuestionMemo = Map<string, SegmentQuery>;

/**
 * Parses and checks a key; BAD_USER_INPUT when it is not one this system made. `memo`: questions
 * already checked in this batch (thousands of keys of one question are checked once).
 */
export function decodeSegmentKey(key: unknown, today: Date, memo?: QuestionMemo): DecodedSegmentKey {
  if (typeof key !== 'string' || key.length > 2000) throw badUserInput('not a workforce segment key', 'key');
  let body: KeyBody;
  try {
    body = JSON.parse(Buffer.from(key, 'base64url').toString('utf8')) as KeyBody;
  } catch {
    throw badUserInput('not a workforce segment key', 'key');
  }
  if (typeof body !== 'object' || body === null || body.v !== 1 || !Array.isArray(body.c)) throw badUserInput('not a workforce segment key', 'key');
  const raw = JSON.stringify([body.asOf, body.by, body.f]);
  let query = memo?.get(raw);
  if (!query) {
    const asOf = checkAsOf(body.asOf, today);
    query = { groupBy: checkGroupBy(body.by), filter: checkWorkforceFilter(body.f), asOf, current: isToday(asOf, today) };
    memo?.set(raw, query);
  }
  if (body.c.length !== query.groupBy.length || body.c.some((v) => v !== null && (typeof v !== 'string' || v.length > 100))) {
    throw badUserInput('not a workforce segment key', 'key');
  }
  const values: SegmentValues = {};
  for (const dimension of WORKFORCE_DIMENSIONS) values[dimension] = null;
  query.groupBy.forEach((d, i) => (values[d] = body.c[i]));
  return { query, values };
}
