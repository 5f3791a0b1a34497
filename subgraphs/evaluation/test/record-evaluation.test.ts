import { newId, startHarness, type Harness } from './helpers';
import { registerServants } from './directory';

// A pinned "today": quarter 4 of 2026 has started, 2027 has not.
const NOW = new Date('2026-11-24T09:00:00Z');

const RECORD = `mutation ($input: EvaluationInput!) {
  recordEvaluation(input: $input) { period year quarter score band }
}`;

let h: Harness;
beforeAll(async () => {
  h = await startHarness(NOW);
});
afterAll(() => h?.close());

/** A servant the directory copy knows, as personnel's feed would have delivered it. */
async function knownServant(): Promise<string> {
  const id = newId();
  await registerServants(h.subgraph.models, [id]);
  return id;
}

const stored = () => h.subgraph.models.QuarterlyEvaluation.countDocuments({}).exec();

async function record(input: Record<string, unknown>) {
  return h.gql<{ recordEvaluation: { period: string; year: number; quarter: number; score: number; band: string } }>(
    RECORD,
    { input },
  );
}

describe('recordEvaluation', () => {
  it('records a quarter and the servant profile shows it, with the annual evaluation once four are in', async () => {
    const servantId = await knownServant();
    const res = await record({ servantId, year: 2026, quarter: 4, score: 91.5 });
    expect(res.errors).toBeUndefined();
    expect(res.data!.recordEvaluation).toEqual({ period: 'QUARTER', year: 2026, quarter: 4, score: 91.5, band: 'OUTSTANDING' });

    for (const [quarter, score] of [
      [1, 70],
      [2, 72],
      [3, 64.5],
    ]) {
      expect((await record({ servantId, year: 2026, quarter, score })).errors).toBeUndefined();
    }
    const profile = await h.gql<{ _entities: { evaluations: { period: string; score: number; band: string }[]; latestAnnualBand: string }[] }>(
      `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on CivilServant { evaluations(year: 2026) { period score band } latestAnnualBand } } }`,
      { reps: [{ __typename: 'CivilServant', id: servantId }] },
    );
    const [servant] = profile.data!._entities;
    expect(servant.evaluations[0]).toEqual({ period: 'ANNUAL', score: 74.5, band: 'EFFECTIVE' });
    expect(servant.evaluations).toHaveLength(5);
    expect(servant.latestAnnualBand).toBe('EFFECTIVE');
  });

  it('refuses a quarter already recorded with CONFLICT and keeps the first score', async () => {
    const servantId = await knownServant();
    expect((await record({ servantId, year: 2025, quarter: 2, score: 80 })).errors).toBeUndefined();
    const before = await stored();
    const res = await record({ servantId, year: 2025, quarter: 2, score: 40 });
    expect(res.errors?.[0].extensions?.code).toBe('CONFLICT');
    expect(res.errors?.[0].message).toMatch(/quarter 2 of 2025 is already recorded/);
    expect(await stored()).toBe(before);
    const doc = await h.subgraph.models.QuarterlyEvaluation.findOne({ servantId, year: 2025, quarter: 2 }).lean().exec();
    expect(doc?.score).toBe(80);
  });

  it('treats the same servant id in another letter case as the same servant', async () => {
    const servantId = await knownServant();
    expect((await record({ servantId, year: 2024, quarter: 1, score: 75 })).errors).toBeUndefined();
    const res = await record({ servantId: servantId.toUpperCase(), year: 2024, quarter: 1, score: 75 });
    expect(res.errors?.[0].extensions?.code).toBe('CONFLICT');
  });

  it('refuses a servant the register does not know with NOT_FOUND, writing nothing', async () => {
    const before = await stored();
    const res = await record({ servantId: newId(), year: 2026, quarter: 3, score: 75 });
    expect(res.data ?? null).toBeNull();
    expect(res.errors?.[0].extensions?.code).toBe('NOT_FOUND');
    expect(res.errors?.[0].message).toMatch(/not in the register/);
    expect(await stored()).toBe(before);
  });

  it('checks the input before asking whether the servant exists', async () => {
    const res = await record({ servantId: newId(), year: 2026, quarter: 3, score: 175 });
    expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  const valid = { year: 2026, quarter: 3, score: 75 };
  it.each<[string, Record<string, unknown>, string]>([
    ['a servant id that is not an ObjectId', { servantId: 'abc' }, 'servantId'],
    ['a year before the first allowed year', { year: 1999 }, 'year'],
    ['a year in the future', { year: 2027, quarter: 1 }, 'year'],
    ['a quarter of 0', { quarter: 0 }, 'quarter'],
    ['a quarter of 5', { quarter: 5 }, 'quarter'],
    ['a score above the scale', { score: 100.5 }, 'score'],
    ['a negative score', { score: -0.1 }, 'score'],
  ])('refuses %s with BAD_USER_INPUT naming the field, writing nothing', async (_label, override, field) => {
    const before = await stored();
    const res = await record({ servantId: newId(), ...valid, ...override });
    expect(res.data ?? null).toBeNull();
    expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0].message).toContain(field);
    expect(res.errors?.[0].extensions?.field).toBe(field);
    expect(await stored()).toBe(before);
  });

  it('refuses a quarter that has not started yet, naming quarter', async () => {
    const h2 = await startHarness(new Date('2026-09-30T12:00:00Z'));
    try {
      const res = await h2.gql(RECORD, { input: { servantId: newId(), year: 2026, quarter: 4, score: 80 } });
      expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
      expect(res.errors?.[0].message).toMatch(/quarter/);
      expect(await h2.subgraph.models.QuarterlyEvaluation.countDocuments({}).exec()).toBe(0);
    } finally {
      await h2.close();
    }
  });

  it('refuses input of the wrong type before the resolver runs', async () => {
    const before = await stored();
    const res = await record({ servantId: newId(), year: 2026, quarter: 'two', score: 80 });
    expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.errors?.[0].message).toContain('quarter');
    const missing = await record({ servantId: newId(), year: 2026, quarter: 1 });
    expect(missing.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(missing.errors?.[0].message).toContain('score');
    expect(await stored()).toBe(before);
  });
});
