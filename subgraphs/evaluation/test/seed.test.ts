import { Types, type Connection } from 'mongoose';
import { connectDatabase, createRng, type RosterEntry, type StateBodyEntry } from '@civil-service/shared';
import { startEmbeddedMongo } from '@civil-service/embedded-mongo';
import catalogue from '../reference/competencies.json';
import { seedEvaluation } from '../src';
import { registerModels } from '../src/models';
import { annualScore, bandFor } from '../src/rules/evaluation';
import { rulesLookup } from '../src/rules/reference';

const TODAY = new Date('2026-11-24T00:00:00Z');
const SIZE = 600;

const bodies: StateBodyEntry[] = [
  { id: new Types.ObjectId().toHexString(), name: 'Ministry of Finance', level: 'CENTRAL', region: 'ASTANA', parentId: null },
];

/** A small roster shaped like personnel's: mostly corps B, some corps A and political servants. */
function fakeRoster(n: number): RosterEntry[] {
  const rng = createRng(7);
  return Array.from({ length: n }, (_, i) => {
    const corps = i % 10 === 0 ? 'A' : i % 25 === 1 ? null : 'B';
    const recent = i % 40 === 2;
    return {
      servantId: new Types.ObjectId(i.toString(16).padStart(24, '0')).toHexString(),
      stateBodyId: bodies[0].id,
      region: 'ASTANA',
      stateBodyLevel: 'CENTRAL',
      corps,
      categoryCode: corps === 'B' ? 'C-4' : corps === 'A' ? 'A-1' : null,
      status: i % 15 === 3 ? 'DISMISSED' : 'ACTIVE',
      gender: rng.chance(0.55) ? 'FEMALE' : 'MALE',
      birthYear: rng.int(1965, 2000),
      // A few joined during the current year: they are evaluated only from their first quarter.
      entryDate: recent ? new Date('2026-05-10T00:00:00Z') : rng.date(new Date('2005-01-01'), new Date('2024-12-31')),
      positionId: new Types.ObjectId().toHexString(),
      isManagerial: corps === 'A' || i % 7 === 0,
    } as RosterEntry;
  });
}

let mongo: Awaited<ReturnType<typeof startEmbeddedMongo>>;
let db: Connection;
const roster = fakeRoster(SIZE);

beforeAll(async () => {
  mongo = await startEmbeddedMongo({ port: 0 });
  db = await connectDatabase({ uri: mongo.uri, dbName: 'evaluation_seed_test' });
});
afterAll(async () => {
  await db?.close();
  await mongo?.stop();
});

async function dump() {
  const m = registerModels(db);
  const strip = <T extends { _id: unknown }>(rows: T[]) => rows.map((r) => ({ ...r, _id: String(r._id) }));
  return {
    quarters: strip(await m.QuarterlyEvaluation.find().sort({ _id: 1 }).lean().exec()),
    assessments: strip(await m.Assessment.find().sort({ _id: 1 }).lean().exec()),
    competencyAssessments: strip(await m.CompetencyAssessment.find().sort({ _id: 1 }).lean().exec()),
  };
}

describe('seedEvaluation', () => {
  let first: Awaited<ReturnType<typeof dump>>;
  let counts: Awaited<ReturnType<typeof seedEvaluation>>['counts'];
  let progress = 0;

  beforeAll(async () => {
    ({ counts } = await seedEvaluation(db, {
      roster,
      bodies,
      rng: createRng(42),
      today: TODAY,
      batchSize: 500,
      onProgress: (n) => (progress += n),
    }));
    first = await dump();
  });

  it('reports every servant processed and counts that match the database', async () => {
    expect(progress).toBe(SIZE);
    const m = registerModels(db);
    expect(counts).toEqual({
      competencies: catalogue.competencies.length,
      quarterlyEvaluations: await m.QuarterlyEvaluation.countDocuments().exec(),
      assessments: await m.Assessment.countDocuments().exec(),
      competencyAssessments: await m.CompetencyAssessment.countDocuments().exec(),
    });
    expect(counts.competencies).toBeGreaterThanOrEqual(18);
  });

  it('gives quarterly scores only to corps B, only for ended quarters since entry, at most one per quarter', () => {
    const byId = new Map(roster.map((r) => [r.servantId, r]));
    const seen = new Set<string>();
    for (const q of first.quarters) {
      const servant = byId.get(q.servantId)!;
      expect(servant.corps).toBe('B');
      expect(q.year === 2025 || (q.year === 2026 && q.quarter <= 3)).toBe(true);
      expect(q.score).toBeGreaterThanOrEqual(0);
      expect(q.score).toBeLessThanOrEqual(100);
      expect(new Date(q.recordedAt).getTime()).toBeLessThanOrEqual(TODAY.getTime());
      expect(Date.UTC(q.year, q.quarter * 3, 0)).toBeGreaterThan(new Date(servant.entryDate).getTime());
      const key = `${q.servantId}|${q.year}|${q.quarter}`;
      expect(seen.has(key)).toBe(false);
      seen.add(key);
    }
    const corpsB = roster.filter((r) => r.corps === 'B');
    const perServant = first.quarters.length / corpsB.length;
    expect(perServant).toBeGreaterThan(5);
    expect(perServant).toBeLessThan(7);
    // Some quarters are deliberately missing (late).
    const active = corpsB.filter((r) => r.status === 'ACTIVE' && new Date(r.entryDate).getUTCFullYear() < 2025);
    const complete = active.filter((r) => first.quarters.filter((q) => q.servantId === r.servantId).length === 7);
    expect(complete.length).toBeLessThan(active.length);
    expect(complete.length).toBeGreaterThan(active.length * 0.5);
  });

  it('has a realistic band distribution: mostly effective, some must be assessed, a few outstanding', () => {
    const rulesAt = rulesLookup();
    const byServant = new Map<string, number[]>();
    for (const q of first.quarters.filter((x) => x.year === 2025)) {
      byServant.set(q.servantId, [...(byServant.get(q.servantId) ?? []), q.score]);
    }
    const bands = [...byServant.values()].map((s) => bandFor(annualScore(s), rulesAt(TODAY)));
    const share = (b: string) => bands.filter((x) => x === b).length / bands.length;
    expect(share('EFFECTIVE')).toBeGreaterThan(0.6);
    const below = share('SATISFACTORY') + share('UNSATISFACTORY');
    expect(below).toBeGreaterThan(0.06);
    expect(below).toBeLessThan(0.22);
    expect(share('OUTSTANDING')).toBeGreaterThan(0);
    expect(share('OUTSTANDING')).toBeLessThan(0.15);

    // This year's attestations follow last year's weak evaluations.
    const weak = new Set([...byServant].filter(([, s]) => annualScore(s) < 70).map(([id]) => id));
    const thisYear = first.assessments.filter((a) => new Date(a.assessedOn).getUTCFullYear() === 2026);
    expect(thisYear.length).toBeGreaterThan(0);
    for (const a of thisYear) expect(weak.has(a.servantId)).toBe(true);
  });

  it('assesses competencies of a subset with catalogue codes and levels 1-5', () => {
    const codes = new Set(catalogue.competencies.map((c) => c.code));
    const servants = new Set(first.competencyAssessments.map((c) => c.servantId));
    expect(servants.size).toBeGreaterThan(SIZE * 0.15);
    expect(servants.size).toBeLessThan(SIZE * 0.45);
    for (const c of first.competencyAssessments) {
      expect(codes.has(c.competencyCode)).toBe(true);
      expect(c.level).toBeGreaterThanOrEqual(1);
      expect(c.level).toBeLessThanOrEqual(5);
      expect(new Date(c.assessedOn).getTime()).toBeLessThanOrEqual(TODAY.getTime());
    }
    const political = new Set(roster.filter((r) => r.corps === null).map((r) => r.servantId));
    expect(first.competencyAssessments.some((c) => political.has(c.servantId))).toBe(false);
  });

  it('builds the unique quarter index', async () => {
    const indexes = await registerModels(db).QuarterlyEvaluation.collection.indexes();
    expect(indexes.find((i) => i.unique && JSON.stringify(i.key) === JSON.stringify({ servantId: 1, year: 1, quarter: 1 }))).toBeDefined();
  });

  it('clears and writes the same data again for the same seed, other data for another', async () => {
    await seedEvaluation(db, { roster, bodies, rng: createRng(42), today: TODAY });
    expect(await dump()).toEqual(first);
    await seedEvaluation(db, { roster, bodies, rng: createRng(43), today: TODAY });
    expect((await dump()).quarters).not.toEqual(first.quarters);
  });
});
