import { createRng, disagreements, registerDirectoryModels, type DirectoryEntry, type TokenClaims } from '@civil-service/shared';
import { buildDirectorySnapshots, COUNTERS_COLLECTION, DIRECTORY_COUNTER_ID, personnelSegmentComputer, personnelSegmentPipeline, rotationScheme, seedPersonnel, todaysFigures } from '../src';
import { IN_SERVICE, type StateBodyDoc } from '../src/models';
import { startHarness, TODAY, type Harness } from './helpers';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  await seedPersonnel(h.db, { servants: 300, rng: createRng('1:personnel'), today: TODAY });
});
afterAll(() => h.stop());

const MONITORING = { role: 'monitoring' as const, purpose: 'subgraph test' };
const ANALYST = { role: 'analyst' as const };

const WORKFORCE = /* GraphQL */ `
  query W($groupBy: [WorkforceDimension!]!, $filter: WorkforceFilter, $asOf: Date) {
    workforce(groupBy: $groupBy, filter: $filter, asOf: $asOf) {
      key region stateBodyLevel gender ageBand stateBody { id } suppressed headcount vacancies womenShare averageTenureYears sanctionsPer1000 rotationsLast12Months
    }
  }`;
interface Segment {
  key: string;
  region: string | null;
  stateBodyLevel: string | null;
  suppressed: boolean;
  headcount: number | null;
  vacancies: number | null;
  rotationsLast12Months: number | null;
  [field: string]: unknown;
}
const workforce = async (variables: Record<string, unknown>, as: TokenClaims = MONITORING) => {
  const res = await h.query<{ workforce: Segment[] }>(WORKFORCE, variables, as);
  expect(res.errors).toBeUndefined();
  return res.data!.workforce;
};

describe('the seeded directory', () => {
  let entries: DirectoryEntry[];
  beforeAll(async () => {
    entries = await registerDirectoryModels(h.db).Directory.find().sort({ seq: 1 }).lean<DirectoryEntry[]>().exec();
  });

  it('has one entry per servant, numbered 1..N in seeding order, with the counter at N', async () => {
    const servants = await h.models.CivilServant.countDocuments();
    expect(entries).toHaveLength(servants);
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: servants }, (_, i) => i + 1));
    expect(await h.db.collection(COUNTERS_COLLECTION).findOne({ _id: DIRECTORY_COUNTER_ID as never })).toMatchObject({ seq: servants });
  });

  it('agrees with the register: what the write paths would build from the database', async () => {
    const ids = (await h.models.CivilServant.find({}, '_id').lean().exec()).map((s) => s._id);
    const built = new Map((await buildDirectorySnapshots(h.models, ids)).map((s) => [s._id, s]));
    for (const e of entries) {
      const { seq, changedAt, ...snapshot } = e;
      expect([seq > 0, changedAt instanceof Date]).toEqual([true, true]);
      expect(snapshot).toEqual(built.get(e._id));
    }
  });

  it('counts in service exactly the servants whose status says so, placed where the register says', async () => {
    const inService = await h.models.CivilServant.find({ status: { $in: IN_SERVICE } }, '_id currentStateBodyId currentRegion currentCategoryCode corps').lean().exec();
    const placed = entries.filter((e) => e.stateBodyId !== null);
    expect(placed).toHaveLength(inService.length);
    const byId = new Map(placed.map((e) => [e._id, e]));
    for (const s of inService) {
      expect(byId.get(s._id.toHexString())).toMatchObject({
        stateBodyId: s.currentStateBodyId!.toHexString(), region: s.currentRegion, categoryCode: s.currentCategoryCode, corps: s.corps,
      });
    }
    const [total] = await workforce({ groupBy: [] });
    expect(total.headcount).toBe(inService.length);
  });
});

describe('workforce on the seeded register', () => {
  it('adds up: regions sum to the total; vacancies today are the positions nobody holds', async () => {
    const [total] = await workforce({ groupBy: [] });
    const regions = await workforce({ groupBy: ['REGION'] });
    expect(regions).toHaveLength(20);
    expect(regions.reduce((n, s) => n + s.headcount!, 0)).toBe(total.headcount);
    expect(total.vacancies).toBe(await h.models.Position.countDocuments({ holderId: null }));
    expect(regions.reduce((n, s) => n + s.vacancies!, 0)).toBe(total.vacancies);
    const levels = await workforce({ groupBy: ['STATE_BODY_LEVEL'] });
    expect(levels.reduce((n, s) => n + s.vacancies!, 0)).toBe(total.vacancies);
  });

  it("answers today's questions from memory exactly as the pipelines do", async () => {
    const directory = registerDirectoryModels(h.db);
    const pipeline = personnelSegmentPipeline(h.models, directory);
    const memory = personnelSegmentComputer(h.models, directory, todaysFigures(h.db, h.models, directory));
    expect(await disagreements(pipeline, memory, TODAY)).toEqual([]);
  });

  it('asks the database the same number of times for 20 segments as for a handful', async () => {
    const count = async (variables: Record<string, unknown>) => {
      h.counter.reset();
      const segments = await workforce(variables);
      return { segments: segments.length, commands: h.counter.byCollection() };
    };
    const few = await count({ groupBy: ['STATE_BODY_LEVEL'], filter: { region: 'ASTANA' } });
    const many = await count({ groupBy: ['REGION'] });
    expect(few.segments).toBeLessThanOrEqual(7);
    expect(many.segments).toBe(20);
    expect(many.commands).toEqual(few.commands);
    const byGender = await count({ groupBy: ['GENDER'] });
    const byGenderAndAge = await count({ groupBy: ['GENDER', 'AGE_BAND'] });
    expect(byGenderAndAge.segments).toBeGreaterThanOrEqual(8);
    expect(byGenderAndAge.commands).toEqual(byGender.commands);
  });

  it('suppresses for an analyst what monitoring sees', async () => {
    const seen = await workforce({ groupBy: ['STATE_BODY'] });
    const shown = await workforce({ groupBy: ['STATE_BODY'] }, ANALYST);
    expect(shown.map((s) => s.key)).toEqual(seen.map((s) => s.key));
    expect(seen.every((s) => !s.suppressed)).toBe(true);
    expect(shown.filter((s) => s.headcount !== null && s.headcount < 5)).toEqual([]);
    expect(shown.some((s) => s.suppressed && s.headcount === null && s.vacancies === null)).toBe(true);
  });
});

describe('rotationFlows on the seeded register', () => {
  const FLOWS = /* GraphQL */ `query F($from: Date!, $to: Date!) { rotationFlows(from: $from, to: $to) { scheme fromRegion toRegion count suppressed } }`;
  type Flow = { scheme: string; fromRegion: string; toRegion: string; count: number | null; suppressed: boolean };

  it('records every rotation under the scheme its two bodies call for', async () => {
    const bodies = new Map((await h.models.StateBody.find().lean<StateBodyDoc[]>().exec()).map((b) => [b._id.toHexString(), b]));
    const rotations = await h.models.Rotation.find().lean().exec();
    expect(rotations.length).toBeGreaterThan(0);
    for (const r of rotations) expect(r.scheme).toBe(rotationScheme(bodies.get(r.fromBodyId.toHexString())!, bodies.get(r.toBodyId.toHexString())!));
  });

  it('counts every rotation of the period once, and region pairs agree with the scheme', async () => {
    const res = await h.query<{ rotationFlows: Flow[] }>(FLOWS, { from: '1990-01-01', to: '2026-11-24' }, MONITORING);
    expect(res.errors).toBeUndefined();
    const flows = res.data!.rotationFlows;
    expect(flows.reduce((n, f) => n + f.count!, 0)).toBe(await h.models.Rotation.countDocuments());
    for (const f of flows) {
      if (f.scheme === 'INTERSECTORAL') expect([f.fromRegion, f.toRegion]).toEqual(['ASTANA', 'ASTANA']);
      if (f.scheme === 'INTERREGIONAL') expect(f.fromRegion).not.toBe(f.toRegion);
    }
    const analyst = (await h.query<{ rotationFlows: Flow[] }>(FLOWS, { from: '1990-01-01', to: '2026-11-24' }, ANALYST)).data!.rotationFlows;
    expect(analyst.map((f) => [f.scheme, f.fromRegion, f.toRegion])).toEqual(flows.map((f) => [f.scheme, f.fromRegion, f.toRegion]));
    expect(analyst.some((f) => f.suppressed && f.count === null)).toBe(true);
    expect(analyst.every((f) => f.suppressed || f.count! >= 5)).toBe(true);
  });
});
