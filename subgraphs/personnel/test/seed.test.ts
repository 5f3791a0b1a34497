import { randomBytes } from 'node:crypto';
import type { Connection } from 'mongoose';
import { startEmbeddedMongo, type EmbeddedMongo } from '@civil-service/embedded-mongo';
import { connectDatabase, createRng, isValidIIN } from '@civil-service/shared';
import { categoryMismatch, findOverlaps, identityAgrees, personnelRules, registerModels, rotationScheme, seedPersonnel, type PersonnelModels } from '../src';
import { REGIONS, type StateBodyDoc } from '../src/models';
import { TODAY } from './helpers';

let mongo: EmbeddedMongo;
let db: Connection;
let m: PersonnelModels;
let first: Awaited<ReturnType<typeof seedPersonnel>>;

beforeAll(async () => {
  mongo = await startEmbeddedMongo({ port: 0 });
  db = await connectDatabase({ uri: mongo.uri, dbName: `personnel_seed_${randomBytes(4).toString('hex')}` });
  m = registerModels(db);
  first = await seedPersonnel(db, { servants: 600, rng: createRng('seed-test'), today: TODAY });
});
afterAll(async () => {
  await db.close();
  await mongo.stop();
});

it('is deterministic for a seed and day', async () => {
  const servants = await m.CivilServant.find().sort({ _id: 1 }).lean().exec();
  const second = await seedPersonnel(db, { servants: 600, rng: createRng('seed-test'), today: TODAY });
  expect(second.roster).toEqual(first.roster);
  expect(second.counts).toEqual(first.counts);
  expect(await m.CivilServant.find().sort({ _id: 1 }).lean().exec()).toEqual(servants);
  const other = await seedPersonnel(db, { servants: 600, rng: createRng('another'), today: TODAY });
  expect(other.roster.map((r) => r.stateBodyId)).not.toEqual(first.roster.map((r) => r.stateBodyId));
  await seedPersonnel(db, { servants: 600, rng: createRng('seed-test'), today: TODAY });
});

it('writes what it counts, and a roster entry per servant', async () => {
  expect(await m.CivilServant.countDocuments()).toBe(600);
  expect(first.roster).toHaveLength(600);
  expect(await m.Assignment.countDocuments()).toBe(first.counts.assignments);
  expect(await m.Position.countDocuments()).toBe(first.counts.positions);
  expect(await m.StateBody.countDocuments()).toBe(first.bodies.length);
  for (const key of ['rotations', 'incentives', 'sanctions', 'reserveMemberships', 'education']) expect(first.counts[key]).toBeGreaterThan(0);
});

it('gives every servant a valid IIN agreeing with birth date and gender', async () => {
  const servants = await m.CivilServant.find({}, 'iin birthDate gender').lean().exec();
  expect(servants.every((s) => isValidIIN(s.iin) && identityAgrees(s))).toBe(true);
  expect(new Set(servants.map((s) => s.iin)).size).toBe(servants.length);
});

it('plans careers without overlaps, on positions nobody else holds at the same time', async () => {
  // The legacy records seeded on purpose for the compliance alerts are not the planner's.
  const assignments = (await m.Assignment.find().lean().exec()).filter((a) => !first.anomalies.servantIds.includes(String(a.servantId)));
  const by = (key: 'servantId' | 'positionId') => {
    const groups = new Map<string, Array<{ start: Date; end: Date | null }>>();
    for (const a of assignments) groups.set(String(a[key]), [...(groups.get(String(a[key])) ?? []), { start: a.startDate, end: a.endDate }]);
    return [...groups.values()];
  };
  expect(by('servantId').filter((g) => findOverlaps(g).length > 0)).toEqual([]);
  expect(by('positionId').filter((g) => findOverlaps(g).length > 0)).toEqual([]);
  // In service means exactly one open assignment, the one the servant document points to.
  const servants = (await m.CivilServant.find().lean().exec()).filter((s) => !first.anomalies.servantIds.includes(String(s._id)));
  const open = new Map(assignments.filter((a) => a.endDate === null).map((a) => [String(a.servantId), a]));
  for (const s of servants) {
    const current = open.get(String(s._id));
    expect(String(current?._id ?? null)).toBe(String(s.currentAssignmentId));
  }
  expect(servants.some((s) => s.status === 'DISMISSED' && s.lastSeparation !== null)).toBe(true);
});

it('covers every region, every level, with categories that fit and vacancies everywhere', async () => {
  const bodies = await m.StateBody.find().lean<StateBodyDoc[]>().exec();
  expect(new Set(bodies.map((b) => b.region))).toEqual(new Set(REGIONS));
  expect(new Set(bodies.map((b) => b.level)).size).toBe(7);
  const table = personnelRules().categoryTableAt(TODAY);
  const bodyById = new Map(bodies.map((b) => [String(b._id), b]));
  const positions = await m.Position.find().lean().exec();
  const planned = positions.filter((p) => !first.anomalies.positionIds.includes(String(p._id)));
  expect(planned.filter((p) => categoryMismatch(p.categoryCode, bodyById.get(String(p.stateBodyId))!.level, p.corps, table) !== null)).toEqual([]);
  const withVacancy = new Set(positions.filter((p) => p.holderId === null).map((p) => String(p.stateBodyId)));
  expect(bodies.filter((b) => !withVacancy.has(String(b._id)))).toEqual([]);
  const servants = new Set((await m.CivilServant.find({ currentRegion: { $ne: null } }, 'currentRegion').lean().exec()).map((s) => s.currentRegion));
  expect(servants).toEqual(new Set(REGIONS));
});

it('records rotations whose scheme follows from the two bodies', async () => {
  const bodies = new Map((await m.StateBody.find().lean<StateBodyDoc[]>().exec()).map((b) => [String(b._id), b]));
  const rotations = await m.Rotation.find().lean().exec();
  expect(rotations.length).toBeGreaterThan(0);
  expect(rotations.filter((r) => rotationScheme(bodies.get(String(r.fromBodyId))!, bodies.get(String(r.toBodyId))!) !== r.scheme)).toEqual([]);
});

it('backs every corps A appointment made under the reserve rule with a corps A reserve', async () => {
  const rules = personnelRules();
  const corpsA = new Set((await m.Position.find({ corps: 'A' }, '_id').lean().exec()).map((p) => String(p._id)));
  const appointments = (await m.Assignment.find().lean().exec()).filter((a) => corpsA.has(String(a.positionId)) && rules.corpsAReserveRequiredAt(a.startDate));
  const reserve = await m.ReserveMembership.find({ type: 'CORPS_A' }).lean().exec();
  for (const a of appointments.filter((x) => !first.anomalies.servantIds.includes(String(x.servantId)))) {
    expect(reserve.some((r) => String(r.servantId) === String(a.servantId) && r.enrolledOn <= a.startDate && (!r.expiresOn || r.expiresOn >= a.startDate))).toBe(true);
  }
});
