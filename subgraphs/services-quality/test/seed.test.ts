import type { Connection } from 'mongoose';
import { startEmbeddedMongo } from '@civil-service/embedded-mongo';
import { connectDatabase, createRng, type RosterEntry, type StateBodyEntry } from '@civil-service/shared';
import { seedServicesQuality } from '../src';

const today = new Date(Date.UTC(2026, 10, 24));
const levels = ['CENTRAL', 'CENTRAL_TERRITORIAL_OBLAST', 'CENTRAL_TERRITORIAL_DISTRICT', 'LOCAL_OBLAST', 'LOCAL_DISTRICT', 'LOCAL_RURAL'];

function fakeRegister(): { bodies: StateBodyEntry[]; roster: RosterEntry[] } {
  const rng = createRng('fake-register');
  const bodies: StateBodyEntry[] = Array.from({ length: 60 }, (_, i) => ({
    id: (i + 1).toString(16).padStart(24, '0'),
    name: `Body ${i}`,
    level: levels[i % levels.length],
    region: 'KARAGANDA',
    parentId: null,
  }));
  const roster: RosterEntry[] = Array.from({ length: 1500 }, (_, i) => {
    const body = rng.pick(bodies);
    return {
      servantId: (1_000_000 + i).toString(16).padStart(24, '0'),
      stateBodyId: body.id,
      region: body.region,
      stateBodyLevel: body.level,
      corps: rng.chance(0.1) ? 'A' : 'B',
      categoryCode: 'E-2',
      status: rng.chance(0.95) ? 'ACTIVE' : 'DISMISSED',
      gender: rng.chance(0.5) ? 'FEMALE' : 'MALE',
      birthYear: 1970 + rng.int(0, 30),
      entryDate: new Date(Date.UTC(2010, 0, 1)),
      positionId: null,
      isManagerial: false,
    } as RosterEntry;
  });
  return { bodies, roster };
}

const COLLECTIONS = ['publicservices', 'servicerequeststats', 'servicerequesttotals', 'feedback', 'violations'];

let mongo: Awaited<ReturnType<typeof startEmbeddedMongo>>;
let db: Connection;

beforeAll(async () => {
  mongo = await startEmbeddedMongo({ port: 0 });
  db = await connectDatabase({ uri: mongo.uri, dbName: 'sq_seed_test' });
});
afterAll(async () => {
  await db?.close();
  await mongo?.stop();
});

describe('seedServicesQuality', () => {
  it('writes consistent, deterministic demo data', async () => {
    const { bodies, roster } = fakeRegister();
    let progress = 0;
    const first = await seedServicesQuality(db, { roster, bodies, rng: createRng(7), today, batchSize: 300, onProgress: (n) => (progress += n) });
    expect(progress).toBe(roster.length);
    const dump = async () =>
      Object.fromEntries(
        await Promise.all(COLLECTIONS.map(async (c) => [c, await db.collection(c).find().sort({ _id: 1 }).toArray()] as const)),
      );
    const snapshot = await dump();
    for (const c of COLLECTIONS) expect(await db.collection(c).countDocuments()).toBe(snapshot[c].length);
    expect(snapshot.servicerequeststats).toHaveLength(first.counts.serviceRequestStats);
    expect(snapshot.servicerequesttotals).toHaveLength(first.counts.requestTotals);
    expect(snapshot.feedback).toHaveLength(first.counts.feedback);
    expect(snapshot.violations).toHaveLength(first.counts.violations);

    // The same seed gives the same documents, ids included; reseeding clears what was there.
    const second = await seedServicesQuality(db, { roster, bodies, rng: createRng(7), today });
    expect(second.counts).toEqual(first.counts);
    expect(await dump()).toEqual(snapshot);
    await seedServicesQuality(db, { roster, bodies, rng: createRng(8), today });
    expect((await dump()).feedback).not.toEqual(snapshot.feedback);
    await seedServicesQuality(db, { roster, bodies, rng: createRng(7), today });

    expect(first.counts.publicServices).toBeGreaterThanOrEqual(40);
    for (const key of ['serviceRequestStats', 'feedback', 'violations'] as const) expect(first.counts[key]).toBeGreaterThan(0);

    const bodyIds = new Set(bodies.map((b) => b.id));
    const servantIds = new Set(roster.filter((r) => r.status === 'ACTIVE').map((r) => r.servantId));
    const stats = await db.collection('servicerequeststats').find().toArray();
    for (const s of stats) {
      expect(bodyIds.has(s.stateBodyId)).toBe(true);
      if (s.servantId !== null) expect(servantIds.has(s.servantId)).toBe(true);
      expect(s.onTime).toBeLessThanOrEqual(s.requests);
      expect(s.onTime).toBeGreaterThanOrEqual(0);
    }
    const ratings = await db.collection('feedback').distinct('rating');
    expect(ratings.every((r: number) => r >= 1 && r <= 5)).toBe(true);
    const feedbackDates = await db.collection('feedback').countDocuments({ submittedOn: { $gt: today } });
    expect(feedbackDates).toBe(0);
    // REPEATED_SERVICE_VIOLATIONS: a few servants in service with 3 violations in the 12 months to the seeding day.
    const repeated = await db.collection('violations').aggregate([
      { $match: { servantId: { $ne: null }, detectedOn: { $gt: new Date(Date.UTC(2025, 10, 24)), $lte: today } } },
      { $group: { _id: '$servantId', n: { $sum: 1 } } },
      { $match: { n: { $gte: 3 } } },
    ]).toArray();
    const offenders = repeated.filter((r) => servantIds.has(r._id as string));
    expect(offenders.length).toBeGreaterThanOrEqual(2);
    expect(offenders.length).toBeLessThan(servantIds.size * 0.02);

    // The monthly body totals are the sums of the rows.
    const sums = await db.collection('servicerequeststats').aggregate([
      { $group: { _id: { b: '$stateBodyId', y: '$year', m: '$month' }, requests: { $sum: '$requests' }, onTime: { $sum: '$onTime' } } },
    ]).toArray();
    const totals = await db.collection('servicerequesttotals').find().toArray();
    expect(totals).toHaveLength(sums.length);
    const totalOf = new Map(totals.map((t) => [`${t.stateBodyId}|${t.year}|${t.month}`, [t.requests, t.onTime]]));
    for (const s of sums) expect(totalOf.get(`${s._id.b}|${s._id.y}|${s._id.m}`)).toEqual([s.requests, s.onTime]);
  });

  it('spreads feedback and violations across the delivering bodies, in this year and last', async () => {
    const { bodies } = fakeRegister();
    const delivering = bodies.filter((b) => b.level !== 'CENTRAL').length;
    const bodiesWith = async (c: string) => (await db.collection(c).distinct('stateBodyId')).length;
    expect(await bodiesWith('servicerequeststats')).toBe(delivering);
    expect(await bodiesWith('feedback')).toBeGreaterThan(delivering * 0.8);
    expect(await bodiesWith('violations')).toBeGreaterThan(delivering * 0.3);
    for (const year of [2025, 2026]) {
      const range = { $gte: new Date(Date.UTC(year, 0, 1)), $lt: new Date(Date.UTC(year + 1, 0, 1)) };
      expect(await db.collection('feedback').countDocuments({ submittedOn: range })).toBeGreaterThan(0);
      expect(await db.collection('violations').countDocuments({ detectedOn: range })).toBeGreaterThan(0);
    }
    // Some servants have figures of their own: requests attributed to them, feedback naming them.
    expect((await db.collection('servicerequeststats').distinct('servantId', { servantId: { $ne: null } })).length).toBeGreaterThan(20);
    expect(await db.collection('feedback').countDocuments({ servantId: { $ne: null } })).toBeGreaterThan(0);
    const indexes = await db.collection('violations').indexes();
    expect(indexes.some((i) => JSON.stringify(i.key) === JSON.stringify({ servantId: 1, detectedOn: -1 }))).toBe(true);
  });
});
