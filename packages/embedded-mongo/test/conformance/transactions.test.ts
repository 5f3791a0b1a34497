import type { Collection, Db } from 'mongodb';
import { openTarget, type Target } from './target';

type Account = { _id: string; bal: number; held?: boolean };

describe('conformance: transactions', () => {
  let t: Target;
  let db: Db;
  let acc: Collection<Account>;
  beforeAll(async () => {
    t = await openTarget();
    db = t.db('txn');
    acc = db.collection<Account>('accounts');
    // Collections must exist before a transaction writes to them on MongoDB < 4.4 setups.
    await acc.insertMany([{ _id: 'a', bal: 100 }, { _id: 'b', bal: 0 }]);
  });
  afterAll(() => t.close());
  const balances = async () => (await acc.find({}, { sort: { _id: 1 } }).toArray()).map((d) => d.bal);

  it('commits with withTransaction; writes are visible inside and hidden from others until commit', async () => {
    const session = t.client.startSession();
    try {
      await session.withTransaction(async () => {
        await acc.updateOne({ _id: 'a' }, { $inc: { bal: -10 } }, { session });
        await acc.updateOne({ _id: 'b' }, { $inc: { bal: 10 } }, { session });
        expect((await acc.find({}, { session, sort: { _id: 1 } }).toArray()).map((d) => d.bal)).toEqual([90, 10]);
        expect(await balances()).toEqual([100, 0]);
      });
    } finally {
      await session.endSession();
    }
    expect(await balances()).toEqual([90, 10]);
  });

  it('rolls everything back on abort', async () => {
    const session = t.client.startSession();
    try {
      session.startTransaction();
      await acc.updateOne({ _id: 'a' }, { $set: { bal: 0 } }, { session });
      await acc.insertOne({ _id: 'c', bal: 5 }, { session });
      await acc.deleteOne({ _id: 'b' }, { session });
      await session.abortTransaction();
    } finally {
      await session.endSession();
    }
    expect(await balances()).toEqual([90, 10]);
  });

  it("makes another client's write to a document the transaction changed wait for the commit", async () => {
    const session = t.client.startSession();
    try {
      session.startTransaction();
      await acc.updateOne({ _id: 'a' }, { $set: { bal: 50 } }, { session });
      let done = false;
      const outside = acc.updateOne({ _id: 'a' }, { $inc: { bal: 1 } }).then(() => (done = true));
      await new Promise((r) => setTimeout(r, 150));
      expect(done).toBe(false);
      await session.commitTransaction();
      await outside;
    } finally {
      await session.endSession();
    }
    expect((await acc.findOne({ _id: 'a' }))?.bal).toBe(51);
  });

  it('labels a write conflict between transactions TransientTransactionError', async () => {
    const s1 = t.client.startSession();
    const s2 = t.client.startSession();
    try {
      s1.startTransaction();
      s2.startTransaction();
      await acc.updateOne({ _id: 'b' }, { $set: { bal: 1 } }, { session: s1 });
      const err = await acc.updateOne({ _id: 'b' }, { $set: { bal: 2 } }, { session: s2 }).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 112, codeName: 'WriteConflict' });
      expect((err as { hasErrorLabel(l: string): boolean }).hasErrorLabel('TransientTransactionError')).toBe(true);
      await s2.abortTransaction().catch(() => undefined);
      await s1.commitTransaction();
    } finally {
      await s1.endSession();
      await s2.endSession();
    }
    expect((await acc.findOne({ _id: 'b' }))?.bal).toBe(1);
  });

  it('retries a conflicting withTransaction until it commits', async () => {
    const holder = t.client.startSession();
    const retrier = t.client.startSession();
    let attempts = 0;
    try {
      holder.startTransaction();
      await acc.updateOne({ _id: 'a' }, { $set: { held: true } }, { session: holder });
      const release = new Promise((r) => setTimeout(r, 200)).then(() => holder.commitTransaction());
      await retrier.withTransaction(async () => {
        attempts++;
        await acc.updateOne({ _id: 'a' }, { $inc: { bal: 1 } }, { session: retrier });
      });
      await release;
    } finally {
      await holder.endSession();
      await retrier.endSession();
    }
    expect(attempts).toBeGreaterThan(1);
    expect(await acc.findOne({ _id: 'a' })).toEqual({ _id: 'a', bal: 52, held: true });
  });
});
