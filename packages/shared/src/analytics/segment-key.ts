import { badUserInput } from '../errors';
import { checkAsOf, checkGroupBy, checkWorkforceFilter, isToday, WORKFORCE_DIMENSIONS, type SegmentQuery, type SegmentValues, type WorkforceDimension, type WorkforceFilter } from './dimensions';

/**
 * A WorkforceSegment's entity key. It carries the whole question (groupBy, filter, asOf) and the
 * segment's dimension values, so that every subgraph can compute its measures for the segment
 * without asking personnel anything. It is opaque to callers but never trusted: a forged key is
 * checked like any other input, and access decisions (suppression) are recomputed by each
 * subgraph from its own data.
 *
 * Written as short text, `w2;<asOf>;<groupBy>;<filter>;<values>`, e.g.
 * `w2;2026-11-25;b;l=CENTRAL;5e0be1001000000000000004`: a question by state body has thousands
 * of segments, and each key travels five times through the gateway (personnel's answer, three
 * entity requests, the caller's answer), so its length is most of the JSON the gateway handles.
 * Dimensions and filter fields are one letter; values are percent-escaped, so `;`, `,` and `=`
 * only ever separate; `~` is a dimension not grouped by.
 */
const VERSION = 'w2';
const NULL_VALUE = '~';

const DIMENSION_LETTERS: Record<WorkforceDimension, string> = {
  REGION: 'r',
  STATE_BODY: 'b',
  STATE_BODY_LEVEL: 'l',
  CORPS: 'c',
  CATEGORY_CODE: 'k',
  GENDER: 'g',
  AGE_BAND: 'a',
};
const FILTER_LETTERS: Record<keyof WorkforceFilter, string> = {
  region: 'r',
  stateBodyId: 'b',
  stateBodyLevel: 'l',
  corps: 'c',
  categoryCode: 'k',
  gender: 'g',
};
const DIMENSION_OF = new Map(Object.entries(DIMENSION_LETTERS).map(([dimension, letter]) => [letter, dimension]));
const FILTER_FIELD_OF = new Map(Object.entries(FILTER_LETTERS).map(([field, letter]) => [letter, field]));

/** Values of the register (enums, ids, codes) need no escaping; anything else is escaped so it cannot split a key. */
const PLAIN = /^[A-Za-z0-9_-]*$/;
const escapeValue = (value: string): string => (PLAIN.test(value) ? value : encodeURIComponent(value).replace(/[~!'()*.]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`));

/** A cell's values as a string in `groupBy` order: how cells computed by a pipeline are matched to keys. */
export function cellIdOf(groupBy: readonly WorkforceDimension[], values: SegmentValues): string {
  return JSON.stringify(groupBy.map((d) => values[d] ?? null));
}

/** The question part of every key of `query` (everything before the values). */
function questionText(query: SegmentQuery): string {
  const filter = Object.entries(query.filter)
    .filter(([, value]) => value !== undefined && value !== null)
    .map(([field, value]) => `${FILTER_LETTERS[field as keyof WorkforceFilter]}=${escapeValue(String(value))}`)
    .join(',');
  return `${VERSION};${query.asOf.toISOString().slice(0, 10)};${query.groupBy.map((d) => DIMENSION_LETTERS[d]).join(',')};${filter}`;
}

/** Keys of one question share their question text: built once per question, not per segment. */
const questionTexts = new WeakMap<SegmentQuery, string>();

/** The values part of a segment's keys (after the last `;`): one cell's text, whatever the question's. */
export function segmentCellsText(groupBy: readonly WorkforceDimension[], values: SegmentValues): string {
  let text = '';
  for (let i = 0; i < groupBy.length; i++) {
    const value = values[groupBy[i]];
    text += `${i === 0 ? '' : ','}${value === undefined || value === null ? NULL_VALUE : escapeValue(value)}`;
  }
  return text;
}

/** A key from its question and its cells' text. */
export function keyOf(query: SegmentQuery, cellsText: string): string {
  let question = questionTexts.get(query);
  if (question === undefined) {
    question = questionText(query);
    questionTexts.set(query, question);
  }
  return `${question};${cellsText}`;
}

export function encodeSegmentKey(query: SegmentQuery, values: SegmentValues): string {
  return keyOf(query, segmentCellsText(query.groupBy, values));
}

export interface DecodedSegmentKey {
  query: SegmentQuery;
  values: SegmentValues;
}

/** The checked question of a key, by its question text: the keys of one request share it. */
export type QuestionMemo = Map<string, SegmentQuery>;

const notAKey = () => badUserInput('not a workforce segment key', 'key');

/** A value of a key; at most 100 characters, as any value of the register. */
function unescapeValue(text: string): string {
  if (PLAIN.test(text)) {
    if (text.length > 100) throw notAKey();
    return text;
  }
  let value: string;
  try {
    value = decodeURIComponent(text);
  } catch {
    throw notAKey();
  }
  if (value.length > 100) throw notAKey();
  return value;
}

/** The raw question of a key's question text, before the checks every API input gets. */
function parseQuestion(text: string, today: Date): SegmentQuery {
  const parts = text.split(';');
  if (parts.length !== 4 || parts[0] !== VERSION) throw notAKey();
  const [, asOfText, byText, filterText] = parts as [string, string, string, string];
  const groupBy = byText === '' ? [] : byText.split(',').map((letter) => DIMENSION_OF.get(letter) ?? letter);
  const filter: Record<string, string> = {};
  if (filterText !== '') {
    for (const pair of filterText.split(',')) {
      const eq = pair.indexOf('=');
      const field = eq > 0 ? FILTER_FIELD_OF.get(pair.slice(0, eq)) : undefined;
      if (field === undefined || field in filter) throw notAKey();
      filter[field] = unescapeValue(pair.slice(eq + 1));
    }
  }
  const asOf = checkAsOf(asOfText, today);
  return { groupBy: checkGroupBy(groupBy), filter: checkWorkforceFilter(filter), asOf, current: isToday(asOf, today) };
}

/** A key's checked question and its cells' text, not yet parsed (`segmentCellsText` makes that text). */
export function splitSegmentKey(key: unknown, today: Date, memo?: QuestionMemo): { query: SegmentQuery; cellsText: string } {
  if (typeof key !== 'string' || key.length > 2000) throw notAKey();
  const split = key.lastIndexOf(';');
  if (split < 0) throw notAKey();
  const question = key.slice(0, split);
  let query = memo?.get(question);
  if (!query) {
    query = parseQuestion(question, today);
    memo?.set(question, query);
  }
  return { query, cellsText: key.slice(split + 1) };
}

/**
 * Parses and checks a key; BAD_USER_INPUT when it is not one this system made. `memo`: questions
 * already checked in this batch (thousands of keys of one question are checked once).
 */
export function decodeSegmentKey(key: unknown, today: Date, memo?: QuestionMemo): DecodedSegmentKey {
  const { query, cellsText } = splitSegmentKey(key, today, memo);
  const cells = cellsText.split(',');
  if (cells.length !== Math.max(query.groupBy.length, 1) || (query.groupBy.length === 0 && cells[0] !== '')) throw notAKey();
  const values: SegmentValues = {};
  for (const dimension of WORKFORCE_DIMENSIONS) values[dimension] = null;
  query.groupBy.forEach((d, i) => {
    const cell = cells[i]!;
    values[d] = cell === NULL_VALUE ? null : unescapeValue(cell);
  });
  return { query, values };
}
