import { ObjectId, type Document } from 'bson';
import { compileFastFilter } from '../src/storage/filter';
import { compileFilter, mingoMatcher } from '../src/storage/query';
import { toQueryForm } from '../src/storage/values';
import { mulberry32 } from './aggregation-random';
import { randomFilter, randomFilterDocs } from './filter-random';

function compiled(filter: Document): (doc: Document) => boolean {
  const fn = compileFastFilter(toQueryForm(filter));
  if (!fn) throw new Error(`not compiled: ${JSON.stringify(filter)}`);
  return fn;
}

/** The `_id`s a filter selects, through the compiled predicate. */
function ids(docs: Document[], filter: Document): unknown[] {
  const fn = compiled(filter);
  return docs.filter((d) => fn(d)).map((d) => d._id);
}

describe('compiled filters: differential against mingo', () => {
  const d1 = new Date(Date.UTC(2022, 0, 1));
  const oid = new ObjectId('650000070000000000000000');
  const docs: Document[] = [
    { _id: 1, a: 1, s: 'x', d: d1, o: new ObjectId(oid.toHexString()), n: { x: 1, y: 'p' }, tags: ['a', 'b'], items: [{ k: 'k1', v: 2 }] },
    { _id: 2, a: '1', s: null, d: '2022-01-01', o: oid.toHexString(), n: { y: 'p' }, tags: [], items: [] },
    { _id: 3, a: [1, 2, 3], n: null, tags: ['b'], items: [{ k: 'k2', v: 5 }, { k: 'k1', v: 9 }] },
    { _id: 4, a: null, s: 'abc', d: new Date(d1.getTime() + 1), n: 4, tags: 'a', items: [{ k: null, v: null }] },
    { _id: 5, a: [null, 'x'], s: ['x', 'y'], o: null, n: { x: 2, y: 'q' }, items: [{ k: 'k3', v: 1 }, { k: 'k1', v: 1 }] },
    { _id: 6, a: 2.5, s: 'X', d: null, tags: [['a']], items: [{ k: 'k2', v: [1, 7] }] },
  ];
  const handWritten: Document[] = [
    { a: 1 },
    { a: { $eq: null } },
    { a: { $ne: null } },
    { a: { $gt: 1 } },
    { a: { $gte: '1' } },
    { a: { $in: [null, 2] } },
    { a: { $nin: [1, 'x'] } },
    { s: /^x/i },
    { s: { $regex: 'b', $options: 'i' } },
    { s: { $not: /x/ } },
    { s: { $exists: false } },
    { d: { $gte: d1 } },
    { d: { $lt: new Date(d1.getTime() + 1) } },
    { o: oid },
    { o: { $in: [oid, null] } },
    { o: { $gt: new ObjectId('650000000000000000000000') } },
    { n: { x: 1, y: 'p' } },
    { 'n.x': { $exists: true } },
    { 'n.y': null },
    { tags: 'a' },
    { tags: ['a', 'b'] },
    { tags: [] },
    { tags: { $size: 0 } },
    { tags: { $elemMatch: { $eq: 'b' } } },
    { items: { $elemMatch: { k: 'k1', v: { $gte: 5 } } } },
    { items: { $elemMatch: { $or: [{ k: null }, { v: { $lt: 2 } }] } } },
    { 'items.k': 'k1', 'items.v': { $lt: 3 } },
    { 'items.v': { $gt: 6 } },
    { 'items.0.k': 'k2' },
    { $or: [{ a: 1 }, { s: 'X' }] },
    { $nor: [{ a: null }, { s: { $exists: false } }] },
    { $and: [{ a: { $ne: 1 } }, { a: { $not: { $gt: 2 } } }] },
  ];

  it('agrees on hand-written filters', () => {
    for (const filter of handWritten) {
      const q = mingoMatcher(toQueryForm(filter));
      expect([filter, ids(docs, filter)]).toEqual([filter, docs.filter((d) => q.test(d)).map((d) => d._id)]);
    }
  });

  it('agrees on seeded random filters and documents', () => {
    const rng = mulberry32(20250101);
    const rdocs = randomFilterDocs(rng, 200);
    let compiledFilters = 0;
    let fellBack = 0;
    let checks = 0;
    let matched = 0;
    for (let i = 0; i < 3000; i++) {
      const filter = randomFilter(rng);
      const fast = compileFastFilter(toQueryForm(filter));
      if (!fast) {
        fellBack++;
        continue;
      }
      compiledFilters++;
      const q = mingoMatcher(toQueryForm(filter));
      for (const d of rdocs) {
        const got = fast(d);
        if (got !== q.test(d)) throw new Error(`filter ${JSON.stringify(filter)} on ${JSON.stringify(d)}: compiled ${got}`);
        if (got) matched++;
        checks++;
      }
    }
    // Most generated filters are in the subset; the rest (object/array/null range bounds) fall back.
    expect(compiledFilters).toBeGreaterThan(2700);
    expect(fellBack).toBeLessThan(300);
    expect(matched).toBeGreaterThan(checks / 10);
    expect(matched).toBeLessThan(checks * 0.9);
  });

  it('falls back to mingo outside the subset', () => {
    for (const filter of [{ a: { $type: 'string' } }, { a: { $mod: [2, 0] } }, { a: { $all: [1] } }, { $expr: { $eq: ['$a', 1] } }, { a: { $gt: null } }, { $where: 'x' }]) {
      expect(compileFastFilter(filter)).toBeUndefined();
    }
    expect(compileFilter({ a: { $type: 'string' } }).mingo).toBe(true);
    expect(compileFilter({ periods: { $elemMatch: { from: { $lte: new Date() }, $or: [{ to: null }, { to: { $gte: new Date() } }], region: 'X' } } }).mingo).toBe(false);
    expect(() => compileFilter({ a: { $bogus: 1 } })).toThrow();
    expect(() => compileFilter({ a: { $regex: '(' } })).toThrow();
  });
});

/**
 * Where mingo departs from MongoDB, the compiled filter follows MongoDB. Expectations for the
 * null cases are those of MongoDB's jstests/core/query/null_query_semantics.js.
 */
describe('compiled filters: MongoDB semantics where mingo differs', () => {
  const nulls: Document[] = [
    { _id: 'a_null', a: null },
    { _id: 'no_a' },
    { _id: 'a_number', a: 4 },
    { _id: 'a_empty_subobject', a: {} },
    { _id: 'a_subobject_b_not_null', a: { b: 'hi' } },
    { _id: 'a_subobject_b_null', a: { b: null } },
    { _id: 'a_double_array', a: [[]] },
    { _id: 'a_empty_array', a: [] },
    { _id: 'a_object_array_b_null_missing', a: [{ b: null }, { b: null }, {}] },
    { _id: 'a_object_array_no_b_nulls', a: [{ b: 1 }, { b: 3 }, { b: 'string' }] },
    { _id: 'a_object_array_some_b_nulls', a: [{ b: null }, { b: 3 }, { b: null }] },
    { _id: 'a_object_array_some_b_missing', a: [{ b: 3 }, {}] },
    { _id: 'a_value_array_all_nulls', a: [null, null] },
    { _id: 'a_value_array_no_nulls', a: [1, 'string', 4] },
    { _id: 'a_value_array_with_null', a: [1, 'string', null, 4] },
  ];
  const dottedNull = ['a_null', 'no_a', 'a_number', 'a_empty_subobject', 'a_subobject_b_null', 'a_object_array_b_null_missing', 'a_object_array_some_b_nulls', 'a_object_array_some_b_missing'];
  const rest = (picked: string[]) => nulls.map((d) => d._id as string).filter((id) => !picked.includes(id));

  it('a dotted null matches missing fields inside arrays of documents, not arrays without documents', () => {
    expect(ids(nulls, { 'a.b': null })).toEqual(dottedNull);
    expect(ids(nulls, { 'a.b': { $in: [null, 75] } })).toEqual(dottedNull);
    expect(ids(nulls, { 'a.b': { $ne: null } })).toEqual(rest(dottedNull));
  });

  it('$in and $nin see null and whole arrays', () => {
    const inNull = ['a_null', 'no_a', 'a_value_array_all_nulls', 'a_value_array_with_null'];
    expect(ids(nulls, { a: { $in: [null, 75] } })).toEqual(inNull);
    expect(ids(nulls, { a: { $nin: [null, []] } })).toEqual(rest([...inNull, 'a_double_array', 'a_empty_array']));
    expect(ids([{ _id: 1, a: [1, 2] }], { a: { $in: [[1, 2]] } })).toEqual([1]);
  });

  it('$elemMatch tests each element as one value, and its document form only documents', () => {
    expect(ids(nulls, { a: { $elemMatch: { $eq: null } } })).toEqual(['a_value_array_all_nulls', 'a_value_array_with_null']);
    expect(ids(nulls, { a: { $elemMatch: { $ne: null } } })).toEqual([
      'a_double_array',
      'a_object_array_b_null_missing',
      'a_object_array_no_b_nulls',
      'a_object_array_some_b_nulls',
      'a_object_array_some_b_missing',
      'a_value_array_no_nulls',
      'a_value_array_with_null',
    ]);
    expect(ids([{ _id: 1, a: [[5]] }], { a: { $elemMatch: { $eq: 5 } } })).toEqual([]);
    expect(ids([{ _id: 1, a: ['x'] }], { a: { $elemMatch: { v: 'x' } } })).toEqual([]);
  });

  it('values reached through an array are not an array of their own', () => {
    const docs = [{ _id: 1, items: [{ k: 1 }, { k: 2 }] }];
    expect(ids(docs, { 'items.k': { $size: 2 } })).toEqual([]);
    expect(ids(docs, { 'items.k': [1, 2] })).toEqual([]);
    expect(ids([{ _id: 1, items: [] }], { 'items.k': { $size: 0 } })).toEqual([]);
    expect(ids([{ _id: 1, items: [{ v: [1, 5] }, { v: 1 }] }], { 'items.v': { $gt: 2 } })).toEqual([1]);
  });

  it('embedded documents compare with field order; NaN passes no range', () => {
    expect(ids([{ _id: 1, n: { x: 1, y: 2 } }, { _id: 2, n: { y: 2, x: 1 } }], { n: { x: 1, y: 2 } })).toEqual([1]);
    const nan = [{ _id: 1, x: NaN }];
    expect(ids(nan, { x: { $gte: 0 } })).toEqual([]);
    expect(ids(nan, { x: { $lte: 5 } })).toEqual([]);
    expect(ids(nan, { x: NaN })).toEqual([1]);
  });
});
