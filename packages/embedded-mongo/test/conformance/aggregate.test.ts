import type { Db, Document } from 'mongodb';
import { openTarget, type Target } from './target';

/** The fixtures use numeric ids. */
type Doc = { _id: number; [field: string]: unknown };

describe('conformance: aggregate', () => {
  let t: Target;
  let db: Db;
  beforeAll(async () => {
    t = await openTarget();
    db = t.db('aggregate');
    await db.collection<Doc>('people').insertMany([
      { _id: 1, name: 'A', org: 'x', tags: ['a', 'b'], age: 25 },
      { _id: 2, name: 'B', org: 'x', tags: ['b'], age: 41 },
      { _id: 3, name: 'C', org: 'y', tags: [], age: 37 },
    ]);
    await db.collection<Doc>('orders').insertMany([
      { _id: 10, pid: 1, amt: 5 },
      { _id: 11, pid: 1, amt: 7 },
      { _id: 12, pid: 2, amt: 1 },
    ]);
  });
  afterAll(() => t.close());
  const people = () => db.collection<Doc>('people');

  it('groups, sorts and counts', async () => {
    expect(await people().aggregate([{ $group: { _id: '$org', n: { $sum: 1 }, age: { $max: '$age' } } }, { $sort: { _id: 1 } }]).toArray()).toEqual([
      { _id: 'x', n: 2, age: 41 },
      { _id: 'y', n: 1, age: 37 },
    ]);
    expect(await people().aggregate([{ $match: { age: { $gt: 30 } } }, { $count: 'older' }]).toArray()).toEqual([{ older: 2 }]);
  });

  it('unwinds arrays', async () => {
    const out = await people().aggregate([{ $unwind: '$tags' }, { $group: { _id: '$tags', n: { $sum: 1 } } }, { $sort: { _id: 1 } }]).toArray();
    expect(out).toEqual([
      { _id: 'a', n: 1 },
      { _id: 'b', n: 2 },
    ]);
  });

  it('joins with $lookup on fields and with let/pipeline', async () => {
    const simple = await people()
      .aggregate([{ $lookup: { from: 'orders', localField: '_id', foreignField: 'pid', as: 'o' } }, { $project: { n: { $size: '$o' } } }, { $sort: { _id: 1 } }])
      .toArray();
    expect(simple).toEqual([{ _id: 1, n: 2 }, { _id: 2, n: 1 }, { _id: 3, n: 0 }]);
    const piped = await people()
      .aggregate([
        {
          $lookup: {
            from: 'orders',
            let: { id: '$_id' },
            pipeline: [{ $match: { $expr: { $eq: ['$pid', '$$id'] } } }, { $group: { _id: null, total: { $sum: '$amt' } } }, { $project: { _id: 0 } }],
            as: 'spent',
          },
        },
        { $project: { spent: 1 } },
        { $sort: { _id: 1 } },
      ])
      .toArray();
    expect(piped).toEqual([{ _id: 1, spent: [{ total: 12 }] }, { _id: 2, spent: [{ total: 1 }] }, { _id: 3, spent: [] }]);
  });

  it('joins string ids through an indexed foreign field, seeing a transaction its own writes', async () => {
    type Named = { _id: string; [field: string]: unknown };
    const servants = db.collection<Named>('servants');
    const records = db.collection<Named>('records');
    await servants.insertMany([{ _id: 's1' }, { _id: 's2' }, { _id: 's3' }]);
    await records.createIndex({ servantId: 1, startDate: 1 });
    await records.createIndex({ tags: 1 }, { sparse: true });
    await records.insertMany([
      { _id: 'r1', servantId: 's1', tags: ['s2'] },
      { _id: 'r2', servantId: 's1' },
      { _id: 'r3', servantId: 's2' },
      { _id: 'r4', servantId: 7 },
    ]);
    const joined = (field: string) =>
      servants.aggregate([{ $lookup: { from: 'records', localField: '_id', foreignField: field, as: 'r' } }, { $project: { ids: '$r._id' } }, { $sort: { _id: 1 } }]);
    const sorted = (rows: Document[]) => rows.map((row) => ({ ...row, ids: [...(row.ids as string[])].sort() }));
    expect(sorted(await joined('servantId').toArray())).toEqual([
      { _id: 's1', ids: ['r1', 'r2'] },
      { _id: 's2', ids: ['r3'] },
      { _id: 's3', ids: [] },
    ]);
    // A multikey, sparse index: array elements match, documents without the field do not.
    expect(await joined('tags').toArray()).toEqual([
      { _id: 's1', ids: [] },
      { _id: 's2', ids: ['r1'] },
      { _id: 's3', ids: [] },
    ]);
    const session = t.client.startSession();
    try {
      await session.withTransaction(async () => {
        await records.insertOne({ _id: 'r5', servantId: 's3' }, { session });
        await records.deleteOne({ _id: 'r3' }, { session });
        const inside = await servants
          .aggregate([{ $lookup: { from: 'records', localField: '_id', foreignField: 'servantId', as: 'r' } }, { $project: { ids: '$r._id' } }, { $sort: { _id: 1 } }], { session })
          .toArray();
        expect(sorted(inside)).toEqual([
          { _id: 's1', ids: ['r1', 'r2'] },
          { _id: 's2', ids: [] },
          { _id: 's3', ids: ['r5'] },
        ]);
        await session.abortTransaction();
      });
    } finally {
      await session.endSession();
    }
    expect(sorted(await joined('servantId').toArray())).toEqual([
      { _id: 's1', ids: ['r1', 'r2'] },
      { _id: 's2', ids: ['r3'] },
      { _id: 's3', ids: [] },
    ]);
  });

  it('runs $facet and $bucket', async () => {
    const [out] = await people()
      .aggregate([
        {
          $facet: {
            total: [{ $count: 'n' }],
            ages: [{ $bucket: { groupBy: '$age', boundaries: [0, 30, 40, 120], default: 'other', output: { n: { $sum: 1 } } } }],
          },
        },
      ])
      .toArray();
    expect(out.total).toEqual([{ n: 3 }]);
    expect(out.ages).toEqual([{ _id: 0, n: 1 }, { _id: 30, n: 1 }, { _id: 40, n: 1 }]);
  });

  it('returns results through a cursor with getMore', async () => {
    const many = db.collection<Doc>('many');
    await many.insertMany(Array.from({ length: 50 }, (_, i) => ({ _id: i, odd: i % 2 })));
    const cursor = many.aggregate([{ $match: { odd: 1 } }, { $sort: { _id: -1 } }], { batchSize: 4 });
    const ids: unknown[] = [];
    for await (const d of cursor) ids.push(d._id);
    expect(ids).toEqual(Array.from({ length: 25 }, (_, i) => 49 - 2 * i));
    const raw = await db.command({ aggregate: 'many', pipeline: [{ $match: { odd: 0 } }], cursor: { batchSize: 3 } });
    expect(raw.cursor.firstBatch).toHaveLength(3);
    expect(Number(raw.cursor.id)).not.toBe(0);
    const more = await db.command({ getMore: raw.cursor.id, collection: 'many' });
    expect(more.cursor.nextBatch).toHaveLength(22);
  });
});
