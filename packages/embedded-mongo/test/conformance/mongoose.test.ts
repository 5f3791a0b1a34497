import mongoose from 'mongoose';
import { openTarget, type Target } from './target';

describe('conformance: mongoose', () => {
  let t: Target;
  let conn: mongoose.Connection;
  const servantSchema = new mongoose.Schema({
    iin: { type: String, required: true, unique: true },
    name: String,
    org: { type: mongoose.Schema.Types.ObjectId, ref: 'Org' },
    hired: Date,
    salary: mongoose.Schema.Types.Decimal128,
  });
  const orgSchema = new mongoose.Schema({ title: String });

  beforeAll(async () => {
    t = await openTarget();
    // A separate connection (not the global mongoose one) so tests in other packages are unaffected.
    conn = await mongoose.createConnection(t.uri, { dbName: t.db('mongoose').databaseName, serverSelectionTimeoutMS: 10_000 }).asPromise();
  });
  afterAll(async () => {
    await conn.close();
    await t.close();
  });

  it('builds schema indexes and reports unique violations as E11000', async () => {
    const Servant = conn.model('Servant', servantSchema);
    await Servant.init();
    const indexes = await Servant.collection.listIndexes().toArray();
    expect(indexes.find((i) => i.name === 'iin_1')).toMatchObject({ unique: true });
    await Servant.create({ iin: '900101300001', name: 'Aigerim' });
    await expect(Servant.create({ iin: '900101300001', name: 'Copy' })).rejects.toMatchObject({ code: 11000, keyValue: { iin: '900101300001' } });
  });

  it('queries, updates, populates and round-trips dates and decimals', async () => {
    const Org = conn.model('Org', orgSchema);
    const Servant = conn.models.Servant ?? conn.model('Servant', servantSchema);
    const org = await Org.create({ title: 'Ministry' });
    await Servant.create({ iin: '850202400002', name: 'Nurlan', org: org._id, hired: new Date('2020-03-01T00:00:00Z'), salary: '450000.50' });
    const found = await Servant.findOne({ hired: { $gte: new Date('2020-01-01T00:00:00Z') } }).populate('org').lean();
    expect(found).toMatchObject({ name: 'Nurlan', org: { title: 'Ministry' } });
    expect(String(found?.salary)).toBe('450000.50');
    await Servant.updateOne({ iin: '850202400002' }, { $set: { name: 'Nurlan B.' } });
    expect(await Servant.countDocuments({ name: /^Nurlan/ })).toBe(1);
    expect((await Servant.distinct('iin')).sort()).toEqual(['850202400002', '900101300001']);
  });

  it('runs connection.transaction with commit and rollback', async () => {
    const Servant = conn.models.Servant ?? conn.model('Servant', servantSchema);
    await conn.transaction(async (session) => {
      await Servant.create([{ iin: '700303500003', name: 'In txn' }], { session });
    });
    expect(await Servant.exists({ iin: '700303500003' })).toBeTruthy();
    await expect(
      conn.transaction(async (session) => {
        await Servant.create([{ iin: '600404600004', name: 'Rolled back' }], { session });
        throw new Error('abort me');
      }),
    ).rejects.toThrow('abort me');
    expect(await Servant.exists({ iin: '600404600004' })).toBeNull();
  });
});
