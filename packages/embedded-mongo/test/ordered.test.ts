import type { Collection } from 'mongodb';
import { withPending } from '../src/storage/ordered';
import { compareValues } from '../src/storage/values';
import { startWithClient } from './helpers';

const entries = (values: number[]) => values.map((v) => ({ v }));
const valuesOf = (list: Array<{ v: unknown }>) => list.map((e) => e.v);

describe('an index takes in new values (withPending)', () => {
  it('appends values that all sort after the last one in place, without touching the rest', () => {
    const sorted = entries([1, 2, 3]);
    const before = sorted.slice();
    const out = withPending(sorted, entries([6, 4, 5]));
    // The same array, grown at its end: what an append-only collection costs per write is the new
    // entries, not the ones already there.
    expect(out).toBe(sorted);
    expect(valuesOf(out)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(out.slice(0, 3)).toEqual(before);
  });

  it('puts values below the last one in their places, few or many', () => {
    expect(valuesOf(withPending(entries([10, 20, 30]), entries([25, 5, 40])))).toEqual([5, 10, 20, 25, 30, 40]);
    const many = Array.from({ length: 100 }, (_, i) => i * 2 + 1);
    const merged = withPending(entries(Array.from({ length: 100 }, (_, i) => i * 2)), entries(many.reverse()));
    expect(valuesOf(merged)).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });

  it('orders mixed BSON types as a full sort would', () => {
    const all: unknown[] = [3, 'b', null, 1.5, new Date(5), 'a', true, 7, new Date(1), false];
    const byFullSort = [...all].sort(compareValues);
    for (let cut = 0; cut <= all.length; cut++) {
      const start = all.slice(0, cut).sort(compareValues).map((v) => ({ v }));
      expect(valuesOf(withPending(start, all.slice(cut).map((v) => ({ v }))))).toEqual(byFullSort);
    }
  });
});

describe('an append-only collection read back in order', () => {
  let ctx: Awaited<ReturnType<typeof startWithClient>>;
  let log: Collection<{ seq: number; note?: string }>;
  beforeAll(async () => {
    ctx = await startWithClient();
    log = ctx.client.db('audit').collection('log');
    await log.createIndex({ seq: 1 }, { unique: true });
  });
  afterAll(() => ctx.close());

  it('finds the newest entry after every batch, and every entry in order, as writes arrive in and out of order', async () => {
    let seq = 0;
    for (let batch = 0; batch < 30; batch++) {
      // Batches of 100, as an audit writer groups the entries of several requests.
      await log.insertMany(Array.from({ length: 100 }, () => ({ seq: ++seq })));
      expect((await log.find().sort({ seq: -1 }).limit(1).next())?.seq).toBe(seq);
    }
    // Late entries below the head (a restored backup, a retried write), one and many at a time.
    await log.insertOne({ seq: -1, note: 'late' });
    await log.insertMany(Array.from({ length: 70 }, (_, i) => ({ seq: -100 - i })));
    await log.deleteMany({ seq: { $gt: 2990 } });
    await log.insertOne({ seq: 5000 });
    const seqs = (await log.find({}, { projection: { _id: 0, seq: 1 } }).sort({ seq: 1 }).toArray()).map((d) => d.seq);
    const expected = [...Array.from({ length: 70 }, (_, i) => -100 - i), -1, ...Array.from({ length: 2990 }, (_, i) => i + 1), 5000].sort((a, b) => a - b);
    expect(seqs).toEqual(expected);
    expect((await log.find({ seq: { $lt: 0 } }).sort({ seq: -1 }).limit(2).toArray()).map((d) => d.seq)).toEqual([-1, -100]);
  });
});
