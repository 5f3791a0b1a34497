import { Types } from 'mongoose';
import { createRng, type RosterEntry } from '@civil-service/shared';
import { seedEvaluation } from '../src';
import { startHarness, type Harness } from './helpers';
import { insertDirectory, type EntrySpec } from './directory';

const BODY = 'abababababababababababab';
const iso = (d: Date) => d.toISOString().slice(0, 10);

/** A roster shaped like personnel's 300-servant demo: mostly corps B, some corps A and political servants, some gone. */
function roster(n: number): RosterEntry[] {
  const rng = createRng(11);
  return Array.from({ length: n }, (_, i) => {
    const corps = i % 10 === 0 ? 'A' : i % 25 === 1 ? null : 'B';
    return {
      servantId: new Types.ObjectId((0x5000 + i).toString(16).padStart(24, '0')).toHexString(),
      stateBodyId: BODY,
      region: 'ASTANA',
      stateBodyLevel: 'CENTRAL',
      corps,
      categoryCode: corps === 'B' ? 'C-4' : corps === 'A' ? 'A-1' : null,
      status: i % 15 === 3 ? 'DISMISSED' : 'ACTIVE',
      gender: rng.chance(0.55) ? 'FEMALE' : 'MALE',
      birthYear: rng.int(1965, 2000),
      entryDate: rng.date(new Date('2005-01-01'), new Date('2024-12-31')),
      positionId: new Types.ObjectId().toHexString(),
      isManagerial: corps === 'A',
    };
  });
}

/** What personnel's feed would give the copy: one assignment each, closed for those who left. */
function directoryOf(entries: RosterEntry[]): EntrySpec[] {
  return entries
    .filter((r) => r.corps !== null)
    .map((r) => ({
      id: r.servantId,
      periods: [{ from: iso(r.entryDate), to: r.status === 'ACTIVE' ? null : '2025-03-31', stateBodyId: BODY, corps: r.corps! }],
    }));
}

const ALERTS = `{ evaluationAlerts(first: 0) { totalCount } }`;
const RULE = (rule: string) => `{ evaluationAlerts(filter: { rules: [${rule}] }, first: 0) { totalCount } }`;

let clock = new Date();
let h: Harness;
const servants = roster(300);
beforeAll(async () => {
  h = await startHarness(() => clock);
  await insertDirectory(h.subgraph.models, directoryOf(servants));
});
afterAll(() => h?.close());

async function count(query: string): Promise<number> {
  const res = await h.gql<{ evaluationAlerts: { totalCount: number } }>(query);
  expect(res.errors).toBeUndefined();
  return res.data!.evaluationAlerts.totalCount;
}

describe('demo data', () => {
  it.each([
    ['2026-01-05', '2026-01-05'],
    ['2026-04-21', '2026-04-21'],
    ['2026-11-24', '2026-11-24'],
    // Seeded once, started months later: the quarters since are all missing.
    ['2026-03-01', '2026-11-24'],
  ])('seeded on %s and run on %s, 300 servants give both evaluation alerts', async (seededOn, runOn) => {
    await seedEvaluation(h.db, { roster: servants, bodies: [], rng: createRng('1:evaluation'), today: new Date(`${seededOn}T00:00:00Z`) });
    clock = new Date(`${runOn}T10:00:00Z`);
    const required = await count(RULE('ASSESSMENT_REQUIRED'));
    const missing = await count(RULE('EVALUATION_MISSING'));
    expect(required).toBeGreaterThan(0);
    expect(missing).toBeGreaterThan(0);
    expect(await count(ALERTS)).toBe(required + missing);

    // The alert count is the number of servants in service whose field says so.
    const inService = servants.filter((s) => s.corps !== null && s.status === 'ACTIVE');
    const res = await h.gql<{ _entities: { assessmentRequired: boolean | null }[] }>(
      `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on CivilServant { assessmentRequired } } }`,
      { reps: inService.map((s) => ({ __typename: 'CivilServant', id: s.servantId })) },
    );
    expect(res.data!._entities.filter((s) => s.assessmentRequired === true)).toHaveLength(required);
  });
});
