import { randomBytes } from 'node:crypto';
import type { Connection } from 'mongoose';
import { Types } from 'mongoose';
import { startEmbeddedMongo } from '@civil-service/embedded-mongo';
import { connectDatabase, createRng, type RosterEntry, type StateBodyEntry } from '@civil-service/shared';
import { seedTraining } from '../src';
import { registerModels, type LearningRecordDoc, type TrainingProgramDoc } from '../src/models';
import { rulesLookup } from '../src/rules/reference';
import { checkProgramHours, isTrainingOverdue } from '../src/rules/training';
import { addMonths } from '../src/rules/dates';

/** Seed invariants on a small fake roster: realistic shares, dates inside service, determinism. */
const TODAY = new Date(Date.UTC(2026, 10, 24));
const REGIONS = ['ASTANA', 'ALMATY', 'KARAGANDA', 'TURKISTAN', 'ULYTAU', 'PAVLODAR'];
const LEVELS = ['CENTRAL', 'CENTRAL_TERRITORIAL_OBLAST', 'LOCAL_OBLAST', 'LOCAL_DISTRICT', 'LOCAL_RURAL'];
const STATUSES = ['ACTIVE', 'ACTIVE', 'ACTIVE', 'ACTIVE', 'ACTIVE', 'ACTIVE', 'ACTIVE', 'ACTIVE', 'ON_LEAVE', 'DISMISSED', 'RETIRED'];

/** A roster shaped like personnel's hand-off: entries spread over 25 years, some very recent. */
function fakeRoster(n: number, seed: number): { roster: RosterEntry[]; bodies: StateBodyEntry[] } {
  const rng = createRng(seed);
  const bodies: StateBodyEntry[] = REGIONS.map((region, i) => ({
    id: new Types.ObjectId().toHexString(), name: `Akimat ${i}`, level: LEVELS[i % LEVELS.length], region, parentId: null,
  }) as unknown as StateBodyEntry);
  const roster = Array.from({ length: n }, () => {
    const body = rng.pick(bodies) as unknown as { id: string; level: string; region: string };
    const corps = rng.chance(0.08) ? null : rng.chance(0.15) ? 'A' : 'B';
    return {
      servantId: new Types.ObjectId().toHexString(),
      stateBodyId: body.id,
      region: body.region,
      stateBodyLevel: body.level,
      corps,
      categoryCode: corps === 'B' ? 'C-O-4' : 'A-3',
      status: rng.pick(STATUSES),
      gender: rng.chance(0.55) ? 'FEMALE' : 'MALE',
      birthYear: rng.int(1962, 2002),
      entryDate: rng.date(new Date(Date.UTC(2001, 0, 1)), new Date(Date.UTC(2026, 10, 1))),
      positionId: new Types.ObjectId().toHexString(),
      isManagerial: corps === 'A' || rng.chance(0.1),
    } as unknown as RosterEntry;
  });
  return { roster, bodies };
}

let stop: () => Promise<void>;
let uri: string;
const dbs: Connection[] = [];
async function freshDb(): Promise<Connection> {
  const db = await connectDatabase({ uri, dbName: `training_seed_${randomBytes(4).toString('hex')}` });
  dbs.push(db);
  return db;
}

beforeAll(async () => {
  const mongo = await startEmbeddedMongo({ port: 0 });
  uri = mongo.uri;
  stop = mongo.stop;
});
afterAll(async () => {
  for (const db of dbs) await db.close();
  await stop?.();
});

describe('seedTraining', () => {
  const { roster, bodies } = fakeRoster(2000, 11);
  const byId = new Map(roster.map((s) => [s.servantId, s]));
  let db: Connection;
  let counts: Awaited<ReturnType<typeof seedTraining>>['counts'];
  let programs: TrainingProgramDoc[];
  let records: LearningRecordDoc[];
  let progress = 0;

  beforeAll(async () => {
    db = await freshDb();
    ({ counts } = await seedTraining(db, { roster, bodies, rng: createRng(5), today: TODAY, batchSize: 700, onProgress: (n) => (progress += n) }));
    const models = registerModels(db);
    programs = await models.TrainingProgram.find({}).lean<TrainingProgramDoc[]>().exec();
    records = await models.LearningRecord.find({}).lean<LearningRecordDoc[]>().exec();
  });

  it('writes a catalogue of ~60 programmes whose lengths fit their types', () => {
    expect(programs.length).toBeGreaterThanOrEqual(50);
    expect(programs.length).toBeLessThanOrEqual(70);
    expect(new Set(programs.map((p) => p.title)).size).toBe(programs.length);
    const rules = rulesLookup()(TODAY);
    for (const p of programs) expect(checkProgramHours(p.type, p.academicHours, rules)).toBeNull();
    for (const type of ['ADVANCED_TRAINING', 'RETRAINING', 'POSTGRADUATE', 'INTERNSHIP', 'ABROAD']) {
      expect(programs.some((p) => p.type === type)).toBe(true);
    }
    expect(programs.some((p) => p.provider.startsWith('Academy of Public Administration'))).toBe(true);
    expect(programs.some((p) => p.provider.startsWith('Regional branch'))).toBe(true);
  });

  it('reports what it wrote and every servant processed', () => {
    expect(counts.programs).toBe(programs.length);
    expect(counts.learningRecords).toBe(records.length);
    expect(counts.enrolled + counts.completed + counts.withdrawn).toBe(records.length);
    expect(progress).toBe(roster.length);
  });

  it('writes about 0.7 records per servant per year of service in the last six years', () => {
    const sixYearsAgo = addMonths(TODAY, -72).getTime();
    const years = roster.reduce((sum, s) => sum + (TODAY.getTime() - Math.max(sixYearsAgo, (s.entryDate as unknown as Date).getTime())) / (365.25 * 86_400_000), 0);
    const rate = records.length / years;
    expect(rate).toBeGreaterThan(0.5);
    expect(rate).toBeLessThan(0.9);
  });

  it('dates every record inside the servant’s service, and never in the future', () => {
    for (const r of records) {
      const s = byId.get(r.servantId)!;
      expect(s).toBeDefined();
      expect(r.startDate.getTime()).toBeGreaterThanOrEqual((s.entryDate as unknown as Date).getTime() - 86_400_000);
      expect(r.startDate.getTime()).toBeLessThanOrEqual(TODAY.getTime());
      if (r.status === 'COMPLETED') {
        expect(r.endDate!.getTime()).toBeGreaterThanOrEqual(r.startDate.getTime());
        expect(r.endDate!.getTime()).toBeLessThanOrEqual(TODAY.getTime());
      } else {
        expect(r.endDate).toBeNull();
        expect(r.hours).toBeNull();
      }
    }
  });

  it('keeps completed hours within the programme, and open enrolments only for active servants, one at most', () => {
    const programById = new Map(programs.map((p) => [String(p._id), p]));
    for (const r of records.filter((x) => x.status === 'COMPLETED')) {
      expect(r.hours).toBeLessThanOrEqual(programById.get(String(r.programId))!.academicHours);
    }
    const open = records.filter((r) => r.status === 'ENROLLED');
    expect(open.length).toBeGreaterThan(0);
    expect(new Set(open.map((r) => r.servantId)).size).toBe(open.length);
    for (const r of open) expect(byId.get(r.servantId)!.status).toBe('ACTIVE');
    expect(counts.withdrawn).toBeGreaterThan(0);
  });

  it('leaves a realistic share (15-25%) of active servants training-overdue', () => {
    const rules = rulesLookup()(TODAY);
    const bySevant = new Map<string, LearningRecordDoc[]>();
    for (const r of records) bySevant.set(r.servantId, [...(bySevant.get(r.servantId) ?? []), r]);
    const active = roster.filter((s) => s.status === 'ACTIVE');
    const overdue = active.filter((s) => isTrainingOverdue(bySevant.get(s.servantId) ?? [], TODAY, rules)).length;
    const share = overdue / active.length;
    expect(share).toBeGreaterThanOrEqual(0.15);
    expect(share).toBeLessThanOrEqual(0.25);
  });

  it('gives most recent corps B entrants their retraining within six months of entry', () => {
    const programById = new Map(programs.map((p) => [String(p._id), p]));
    const entrants = roster.filter((s) => s.corps === 'B' && !s.isManagerial && (s.entryDate as unknown as Date).getTime() > addMonths(TODAY, -60).getTime() && (s.entryDate as unknown as Date).getTime() < addMonths(TODAY, -8).getTime() && s.status === 'ACTIVE');
    const onTime = entrants.filter((s) =>
      records.some((r) => r.servantId === s.servantId && programById.get(String(r.programId))!.type === 'RETRAINING' &&
        r.startDate.getTime() <= addMonths(s.entryDate as unknown as Date, 6).getTime()),
    );
    expect(entrants.length).toBeGreaterThan(20);
    expect(onTime.length / entrants.length).toBeGreaterThan(0.8);
  });

  it('builds the indexes, including the one refusing two open enrolments in a programme', async () => {
    const indexes = await registerModels(db).LearningRecord.collection.indexes();
    const open = indexes.find((i) => i.name === 'one_open_enrolment_per_programme');
    expect(open).toMatchObject({ unique: true, partialFilterExpression: { status: 'ENROLLED' } });
    expect(indexes.some((i) => JSON.stringify(i.key) === JSON.stringify({ servantId: 1, startDate: -1 }))).toBe(true);
  });

  it('gives the same data for the same seed, other data for another, and clears what was there', async () => {
    const again = await freshDb();
    await seedTraining(again, { roster, bodies, rng: createRng(5), today: TODAY });
    await seedTraining(again, { roster, bodies, rng: createRng(5), today: TODAY });
    const models = registerModels(again);
    const strip = (rs: LearningRecordDoc[]) => rs.map((r) => ({ ...r, _id: String(r._id), programId: String(r.programId) }));
    const sorted = (rs: LearningRecordDoc[]) => strip(rs).sort((a, b) => a._id.localeCompare(b._id));
    const twice = await models.LearningRecord.find({}).lean<LearningRecordDoc[]>().exec();
    expect(sorted(twice)).toEqual(sorted(records));
    expect(await models.TrainingProgram.countDocuments()).toBe(programs.length);

    const other = await freshDb();
    await seedTraining(other, { roster, bodies, rng: createRng(6), today: TODAY });
    const different = await registerModels(other).LearningRecord.find({}).lean<LearningRecordDoc[]>().exec();
    expect(sorted(different)).not.toEqual(sorted(records));
  });
});
