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

/** The question alone, as a string: segments of one request share it, so a loader groups by it. */
export function questionIdOf(query: SegmentQuery): string {
  const filter = Object.fromEntries(Object.entries(query.filter).sort(([a], [b]) => a.localeCompare(b)));
  return JSON.stringify({ asOf: query.asOf.toISOString().slice(0, 10), by: query.groupBy, f: filter });
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

/** Parses and checks a key; BAD_USER_INPUT when it is not one this system made. */
export function decodeSegmentKey(key: unknown, today: Date): DecodedSegmentKey {
  if (typeof key !== 'string' || key.length > 2000) throw badUserInput('not a workforce segment key', 'key');
  let body: KeyBody;
  try {
    body = JSON.parse(Buffer.from(key, 'base64url').toString('utf8')) as KeyBody;
  } catch {
    throw badUserInput('not a workforce segment key', 'key');
  }
  if (typeof body !== 'object' || body === null || body.v !== 1 || !Array.isArray(body.c)) throw badUserInput('not a workforce segment key', 'key');
  const asOf = checkAsOf(body.asOf, today);
  const query: SegmentQuery = { groupBy: checkGroupBy(body.by), filter: checkWorkforceFilter(body.f), asOf, current: isToday(asOf, today) };
  if (body.c.length !== query.groupBy.length || body.c.some((v) => v !== null && (typeof v !== 'string' || v.length > 100))) {
    throw badUserInput('not a workforce segment key', 'key');
  }
  const values: SegmentValues = {};
  for (const dimension of WORKFORCE_DIMENSIONS) values[dimension] = null;
  query.groupBy.forEach((d, i) => (values[d] = body.c[i]));
  return { query, values };
}
