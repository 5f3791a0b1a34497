import { ObjectId, type Document } from 'mongodb';
import { Query } from 'mingo';
import { plainProjector, projector } from '../src/storage/query';
import { startWithClient } from './helpers';

/** The projection as mingo applies it: what every projection went through before the plain path. */
const throughMingo = (projection: Document, doc: Document): Document => new Query({}).find([doc], projection).all()[0] as Document;

type Stored = Document & { _id: ObjectId | number | string };

const DOCS: Stored[] = [
  { _id: new ObjectId(), servantId: 's1', year: 2025, band: 'EFFECTIVE', scores: [1, 2], detail: { by: 'x', at: new Date('2025-01-01') } },
  { _id: 7, servantId: 's2', band: null, tags: [] },
  { _id: 'k', other: { nested: [{ a: 1 }] } },
];

describe('projections of top-level fields', () => {
  const plain: Document[] = [
    { servantId: 1, band: 1 },
    { servantId: true, _id: 0 },
    { band: 0 },
    { band: 0, scores: 0, _id: 0 },
    { _id: 1 },
    { _id: 0 },
    { detail: 1, missing: 1 },
    { servantId: 1, _id: 1 },
  ];

  it.each(plain)('give what mingo gives for %p, _id first', (projection) => {
    const project = plainProjector(projection);
    expect(project).toBeDefined();
    for (const doc of DOCS) {
      const out = project!(doc);
      expect(out).toEqual(throughMingo(projection, doc));
      if ('_id' in out) expect(Object.keys(out)[0]).toBe('_id');
    }
  });

  it('leave other projections to mingo', () => {
    for (const projection of [{ 'detail.by': 1 }, { scores: { $slice: 1 } }, { band: 'literal' }, { servantId: 1, band: 0 }, { 'scores.$': 1 }, { band: 2 }]) {
      expect(plainProjector(projection)).toBeUndefined();
    }
    // Mixed inclusion and exclusion is still refused as MongoDB refuses it.
    expect(() => projector({ servantId: 1, band: 0 }, {})).toThrow();
  });

  it('through the server, keep the document order and leave the stored documents alone', async () => {
    const { client, close } = await startWithClient();
    try {
      const c = client.db('projection').collection<Stored>('evaluations');
      await c.insertMany(DOCS.map((d) => ({ ...d })));
      const got = await c.find({ servantId: 's1' }, { projection: { year: 1, servantId: 1 } }).toArray();
      expect(got.map((d) => Object.keys(d))).toEqual([['_id', 'servantId', 'year']]);
      expect(await c.find({}, { projection: { other: 0, detail: 0, _id: 0 } }).sort({ servantId: 1 }).toArray()).toEqual([
        {},
        { servantId: 's1', year: 2025, band: 'EFFECTIVE', scores: [1, 2] },
        { servantId: 's2', band: null, tags: [] },
      ]);
      expect(await c.findOne({ _id: 'k' })).toEqual(DOCS[2]);
    } finally {
      await close();
    }
  });
});
