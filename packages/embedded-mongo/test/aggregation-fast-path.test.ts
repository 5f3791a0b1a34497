import type { Document } from 'bson';
import { MongoClient } from 'mongodb';
import { compilePipeline, runFast, runMingo } from '../src/aggregation/run';
import { startEmbeddedMongo, type EmbeddedMongo } from '../src';
import { cloneDoc } from '../src/storage/values';
import { asMultiset, mulberry32, randomDocs, randomOthers, randomPipeline } from './aggregation-random';

/** Both engines' outcome, errors included, in a form that ignores what MongoDB leaves unordered. */
function outcome(run: () => Document[]): unknown {
  try {
    return asMultiset(run());
  } catch {
    return 'error';
  }
}

describe('aggregation fast path: differential against mingo', () => {
  const rng = mulberry32(20240630);
  const docs = randomDocs(rng, 80);
  const others = randomOthers(rng, 120, 80);
  const resolve = (name: string) => (name === 'others' ? others : []);
  const snapshot = JSON.stringify(docs);

  const handWritten: Document[][] = [
    [{ $match: { a: { $gt: 10 } } }, { $group: { _id: '$g', n: { $sum: 1 }, avg: { $avg: '$a' }, lo: { $min: '$a' }, hi: { $max: '$d' } } }],
    [{ $addFields: { p: { $arrayElemAt: [{ $filter: { input: '$items', as: 'it', cond: { $gte: ['$$it.v', 3] } } }, -1] } } }, { $project: { p: 1 } }],
    [{ $project: { _id: 0, g: 1, total: { $add: ['$q', { $ifNull: ['$a', 0] }] }, when: { $dateToString: { format: '%Y-%m-%d %H:%M', date: '$d' } } } }],
    [{ $addFields: { y: { $year: { $ifNull: ['$d', new Date(0)] } }, m: { $month: { $ifNull: ['$d', new Date(0)] } }, dd: { $dayOfMonth: { $ifNull: ['$d', new Date(0)] } } } }],
    [{ $addFields: { later: { $add: [{ $ifNull: ['$d', new Date(0)] }, 86_400_000] }, gap: { $subtract: [{ $ifNull: ['$d', new Date(0)] }, new Date(0)] } } }],
    [{ $unwind: { path: '$items', includeArrayIndex: 'i', preserveNullAndEmptyArrays: true } }, { $group: { _id: '$items.k', n: { $sum: 1 }, vs: { $push: { $ifNull: ['$items.v', -1] } } } }],
    [{ $unwind: '$c' }, { $sortByCount: '$c' }],
    [{ $lookup: { from: 'others', localField: '_id', foreignField: 'ref', as: 'r' } }, { $project: { n: { $size: '$r' }, ok: { $size: { $filter: { input: '$r', as: 'x', cond: { $eq: ['$$x.status', 'OK'] } } } } } }],
    [{ $facet: { byG: [{ $group: { _id: '$g', n: { $sum: 1 } } }], top: [{ $sort: { q: -1, _id: 1 } }, { $limit: 3 }, { $project: { q: 1 } }] } }],
    [{ $replaceWith: { id: '$_id', s: { $switch: { branches: [{ case: { $gt: ['$q', 10] }, then: 'hi' }], default: 'lo' } } } }],
    [{ $project: { r: { $reduce: { input: { $ifNull: ['$c', []] }, initialValue: 0, in: { $add: ['$$value', '$$this'] } } }, l: { $let: { vars: { x: '$q' }, in: { $multiply: ['$$x', 2] } } } } }],
    [{ $project: { s: { $slice: [{ $ifNull: ['$c', []] }, 1, 2] }, cc: { $concatArrays: [{ $ifNull: ['$c', []] }, [99]] }, i: { $in: ['$g', ['g1', 'g2']] }, t: { $toString: '$q' } } }],
    [{ $unset: ['items', 'n'] }, { $skip: 5 }, { $limit: 10 }, { $count: 'n' }],
    [{ $project: { 'items.k': 1, 'n.y': 1 } }],
    [{ $project: { items: 0, 'n.x': 0 } }],
  ];

  it.each(handWritten.map((p, i) => [i, p] as const))('hand-written pipeline %i agrees with mingo', (_i, pipeline) => {
    expect(compilePipeline(pipeline, resolve)).toBeDefined();
    expect(outcome(() => runFast(docs, pipeline, resolve))).toEqual(outcome(() => runMingo(docs, cloneDoc(pipeline), { resolve })));
  });

  it('agrees with mingo on 1,500 random pipelines', () => {
    let compared = 0;
    let bothFailed = 0;
    for (let i = 0; i < 1500; i++) {
      const pipeline = randomPipeline(rng);
      expect(compilePipeline(pipeline, resolve)).toBeDefined();
      const fast = outcome(() => runFast(docs, pipeline, resolve));
      const slow = outcome(() => runMingo(docs, cloneDoc(pipeline), { resolve }));
      if (fast !== slow) expect({ pipeline, result: fast }).toEqual({ pipeline, result: slow });
      if (fast === 'error') bothFailed++;
      compared++;
    }
    expect(compared).toBe(1500);
    // Most pipelines must produce results, or the comparison says little.
    expect(bothFailed).toBeLessThan(100);
    expect(JSON.stringify(docs)).toBe(snapshot);
  });
});

describe('aggregation fast path: MongoDB semantics where mingo differs', () => {
  const fast = (docs: Document[], pipeline: Document[]) => runFast(docs, pipeline);

  it('compares missing below null', () => {
    expect(fast([{ x: 1 }], [{ $project: { _id: 0, e: { $eq: ['$m', null] }, l: { $lt: ['$m', null] }, i: { $in: ['$m', [null]] } } }])).toEqual([{ e: false, l: true, i: false }]);
  });

  it('merges nested $addFields specs and walks arrays for dotted paths', () => {
    expect(fast([{ a: { c: 1 } }], [{ $addFields: { a: { b: 1 } } }])).toEqual([{ a: { c: 1, b: 1 } }]);
    expect(fast([{ a: [{ c: 1 }, 5] }], [{ $addFields: { 'a.b': 1 } }])).toEqual([{ a: [{ c: 1, b: 1 }, { b: 1 }] }]);
  });

  it('skips missing values in $push/$addToSet and treats a one-element operand list like the operand', () => {
    expect(fast([{ a: 1 }, {}], [{ $group: { _id: null, p: { $push: '$a' }, s: { $addToSet: '$a' } } }])).toEqual([{ _id: null, p: [1], s: [1] }]);
    expect(fast([{ a: [1, 2, 3] }], [{ $project: { _id: 0, s: { $sum: ['$a'] } } }])).toEqual([{ s: 6 }]);
  });

  it('outputs nothing from $count on no input and rounds half to even', () => {
    expect(fast([], [{ $count: 'n' }])).toEqual([]);
    expect(fast([{}], [{ $project: { _id: 0, r: { $round: [2.5] }, s: { $round: [3.45, 1] } } }])).toEqual([{ r: 2, s: 3.4 }]);
  });

  it('sorts arrays by their least element ascending', () => {
    const out = fast([{ _id: 1, c: [5, 0] }, { _id: 2, c: [1] }, { _id: 3, c: 2 }], [{ $sort: { c: 1 } }]);
    expect(out.map((d) => d._id)).toEqual([1, 2, 3]);
  });

  it('leaves anything outside the subset to mingo', () => {
    for (const pipeline of [
      [{ $bucket: { groupBy: '$a', boundaries: [0, 10] } }],
      [{ $project: { x: { $toUpper: '$b' } } }],
      [{ $group: { _id: null, s: { $stdDevPop: '$a' } } }],
      [{ $lookup: { from: 'o', let: { id: '$_id' }, pipeline: [], as: 'x' } }],
      [{ $project: { x: '$$NOW' } }],
    ]) {
      expect(compilePipeline(pipeline)).toBeUndefined();
    }
  });
});

describe('aggregation fast path through the driver', () => {
  let server: EmbeddedMongo;
  let client: MongoClient;
  beforeAll(async () => {
    server = await startEmbeddedMongo({ port: 0 });
    client = await MongoClient.connect(server.uri);
  });
  afterAll(async () => {
    await client.close();
    await server.stop();
  });

  it('answers segment-style pipelines and never changes the stored documents', async () => {
    const db = client.db('fastpath');
    const people = db.collection<Document>('people');
    const day = (d: string) => new Date(`${d}T00:00:00Z`);
    const stored: Document[] = [
      { _id: 'a', gender: 'FEMALE', periods: [{ from: day('2020-01-01'), to: day('2021-12-31'), region: 'N' }, { from: day('2022-01-01'), to: null, region: 'S' }], tags: ['x', 'y'] },
      { _id: 'b', gender: 'MALE', periods: [{ from: day('2019-01-01'), to: null, region: 'N' }], tags: [] },
      { _id: 'c', gender: 'FEMALE', periods: [{ from: day('2024-01-01'), to: null, region: 'S' }] },
    ];
    await people.insertMany(stored.map((d) => ({ ...d })));
    await db.collection('records').insertMany([
      { servantId: 'a', status: 'COMPLETED', hours: 4 },
      { servantId: 'a', status: 'PLANNED', hours: 2 },
      { servantId: 'b', status: 'COMPLETED', hours: 1 },
    ]);
    const asOf = day('2023-06-30');
    const rows = await people
      .aggregate([
        { $match: { periods: { $elemMatch: { from: { $lte: asOf }, $or: [{ to: null }, { to: { $gte: asOf } }] } } } },
        { $addFields: { p: { $arrayElemAt: [{ $filter: { input: '$periods', as: 'period', cond: { $lte: ['$$period.from', asOf] } } }, -1] } } },
        { $addFields: { seg: { REGION: '$p.region' }, 'p.seen': true } },
        { $lookup: { from: 'records', localField: '_id', foreignField: 'servantId', as: 'r' } },
        { $addFields: { done: { $size: { $filter: { input: '$r', as: 'x', cond: { $eq: ['$$x.status', 'COMPLETED'] } } } } } },
        { $group: { _id: '$seg', headcount: { $sum: 1 }, women: { $sum: { $cond: [{ $eq: ['$gender', 'FEMALE'] }, 1, 0] } }, done: { $sum: '$done' } } },
        { $sort: { '_id.REGION': 1 } },
      ])
      .toArray();
    expect(rows).toEqual([
      { _id: { REGION: 'N' }, headcount: 1, women: 0, done: 1 },
      { _id: { REGION: 'S' }, headcount: 1, women: 1, done: 1 },
    ]);
    const unwound = await people.aggregate([{ $unwind: { path: '$periods', includeArrayIndex: 'i' } }, { $set: { 'periods.region': 'Z', 'periods.extra': 1 } }, { $sort: { _id: 1, i: 1 } }]).toArray();
    expect(unwound.map((d) => [d._id, d.i, d.periods.region])).toEqual([['a', 0, 'Z'], ['a', 1, 'Z'], ['b', 0, 'Z'], ['c', 0, 'Z']]);
    expect(await people.find().sort({ _id: 1 }).toArray()).toEqual(stored);
  });
});
