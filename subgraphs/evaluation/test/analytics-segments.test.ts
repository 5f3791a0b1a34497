import { encodeSegmentKey, type SegmentQuery, type SegmentValues, type TokenClaims } from '@civil-service/shared';
import { startHarness, type Harness } from './helpers';
import { insertDirectory } from './directory';
import { ENTRIES, loadFixture, NOW, S, Z } from './fixture';

const SEGMENTS = `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on WorkforceSegment { key assessmentRequiredCount bandDistribution { band count } } } }`;
const SERVANTS = `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on CivilServant { id latestAnnualBand assessmentRequired } } }`;
const ANALYST: TokenClaims = { role: 'analyst' };

interface Segment {
  key: string;
  assessmentRequiredCount: number | null;
  bandDistribution: { band: string; count: number }[] | null;
}

let h: Harness;
beforeAll(async () => {
  h = await startHarness(NOW);
  await loadFixture(h);
});
afterAll(() => h?.close());

const at = (iso: string): Date => new Date(`${iso}T00:00:00Z`);
const byRegion = (asOf: string, filter: SegmentQuery['filter'] = {}): SegmentQuery => ({ groupBy: ['REGION'], filter, asOf: at(asOf) });
const key = (query: SegmentQuery, values: SegmentValues) => encodeSegmentKey(query, values);

async function segments(keys: string[], claims?: TokenClaims): Promise<Segment[]> {
  const reps = keys.map((k) => ({ __typename: 'WorkforceSegment', key: k }));
  const res = claims ? await h.gqlAs<{ _entities: Segment[] }>(claims, SEGMENTS, { reps }) : await h.gql<{ _entities: Segment[] }>(SEGMENTS, { reps });
  expect(res.errors).toBeUndefined();
  return res.data!._entities;
}

const bands = (outstanding: number, effective: number, satisfactory: number, unsatisfactory: number) => [
  { band: 'OUTSTANDING', count: outstanding },
  { band: 'EFFECTIVE', count: effective },
  { band: 'SATISFACTORY', count: satisfactory },
  { band: 'UNSATISFACTORY', count: unsatisfactory },
];

describe('WorkforceSegment measures', () => {
  it('counts the latest annual bands and the servants to assess, as of today', async () => {
    const query = byRegion('2026-11-24');
    const [astana, karaganda] = await segments([key(query, { REGION: 'ASTANA' }), key(query, { REGION: 'KARAGANDA' })]);
    // s1 SATISFACTORY (2025), s2 OUTSTANDING, s3 UNSATISFACTORY (2026 complete), s5 OUTSTANDING;
    // s4, s6 and a7 have no annual evaluation; s7 has left.
    expect(astana.bandDistribution).toEqual(bands(2, 0, 1, 1));
    expect(astana.assessmentRequiredCount).toBe(2);
    expect(karaganda.bandDistribution).toEqual(bands(0, 1, 1, 0));
    expect(karaganda.assessmentRequiredCount).toBe(1);
  });

  it('reads the past as it was: quarters started by the day, years ended by it, servants then in service', async () => {
    const march = byRegion('2026-03-31');
    // s3's 2026 has one quarter by then, so 2025 (EFFECTIVE) counts; s7 was still serving.
    const [astanaMarch] = await segments([key(march, { REGION: 'ASTANA' })]);
    expect(astanaMarch.bandDistribution).toEqual(bands(2, 1, 2, 0));
    expect(astanaMarch.assessmentRequiredCount).toBe(2);

    // On 31 December 2025 the year has not ended: only complete years count, so s2 (one quarter) has no band.
    const december = byRegion('2025-12-31');
    const [astanaDecember] = await segments([key(december, { REGION: 'ASTANA' })]);
    expect(astanaDecember.bandDistribution).toEqual(bands(1, 1, 2, 0));
    expect(astanaDecember.assessmentRequiredCount).toBe(2);
  });

  it('agrees with the per-servant fields servant by servant, also on scores at the thresholds', async () => {
    const res = await h.gql<{ _entities: { id: string; latestAnnualBand: string | null; assessmentRequired: boolean | null }[] }>(SERVANTS, {
      reps: ENTRIES.map((e) => ({ __typename: 'CivilServant', id: e.id })),
    });
    const fields = new Map(res.data!._entities.map((s) => [s.id, s]));
    const query = byRegion('2026-11-24');
    const expected = (ids: string[]) => {
      const count = (band: string) => ids.filter((i) => fields.get(i)!.latestAnnualBand === band).length;
      return {
        bandDistribution: bands(count('OUTSTANDING'), count('EFFECTIVE'), count('SATISFACTORY'), count('UNSATISFACTORY')),
        assessmentRequiredCount: ids.filter((i) => fields.get(i)!.assessmentRequired === true).length,
      };
    };
    const [almaty, astana] = await segments([key(query, { REGION: 'ALMATY' }), key(query, { REGION: 'ASTANA' })]);
    expect({ bandDistribution: almaty.bandDistribution, assessmentRequiredCount: almaty.assessmentRequiredCount }).toEqual(expected(Z));
    const inAstana = [S.s1, S.s2, S.s3, S.s4, S.s5, S.s6, S.a7];
    expect({ bandDistribution: astana.bandDistribution, assessmentRequiredCount: astana.assessmentRequiredCount }).toEqual(expected(inAstana));
    // The threshold cases do fall on both sides.
    expect(Z.map((z) => fields.get(z)!.latestAnnualBand)).toEqual(['EFFECTIVE', 'OUTSTANDING', 'EFFECTIVE', 'SATISFACTORY', 'SATISFACTORY']);
  });

  it('honours the question filter and other dimensions', async () => {
    const query: SegmentQuery = { groupBy: ['CORPS'], filter: { region: 'ASTANA' }, asOf: at('2026-11-24') };
    const [b, a] = await segments([key(query, { CORPS: 'B' }), key(query, { CORPS: 'A' })]);
    // Corps B in ASTANA: s1, s2, s3, s5, s6, a7; corps A: s4 alone (shown: the caller is monitoring).
    expect(b.bandDistribution).toEqual(bands(2, 0, 1, 1));
    expect(a.bandDistribution).toEqual(bands(0, 0, 0, 0));
    expect(a.assessmentRequiredCount).toBe(0);
  });

  it('suppresses small segments for an analyst, and the one that would give them away, but not for monitoring', async () => {
    const query = byRegion('2026-11-24');
    const keys = ['ASTANA', 'KARAGANDA', 'ALMATY'].map((REGION) => key(query, { REGION }));
    const [astana, karaganda, almaty] = await segments(keys, ANALYST);
    expect(astana.bandDistribution).toEqual(bands(2, 0, 1, 1));
    // KARAGANDA (2) is below 5; ALMATY (5), the smallest beside it, would reveal it from the total.
    for (const hidden of [karaganda, almaty]) {
      expect(hidden.bandDistribution).toBeNull();
      expect(hidden.assessmentRequiredCount).toBeNull();
    }
    const monitoring = await segments(keys);
    expect(monitoring.every((s) => s.bandDistribution !== null)).toBe(true);
  });

  it('gives null measures for a segment with no servants', async () => {
    const [none] = await segments([key(byRegion('2026-11-24'), { REGION: 'SHYMKENT' })]);
    expect(none.bandDistribution).toBeNull();
    expect(none.assessmentRequiredCount).toBeNull();
  });

  it.each([
    ['no structure', 'garbage!'],
    ['an unknown dimension', 'w2;2026-01-01;z;;42'],
    ['a bad filter', 'w2;2026-01-01;r;r=ATLANTIS;ASTANA'],
    ['a future day', key(byRegion('2027-01-01'), { REGION: 'ASTANA' })],
  ])('refuses a key with %s as BAD_USER_INPUT', async (_label, bad) => {
    const res = await h.gql(SEGMENTS, { reps: [{ __typename: 'WorkforceSegment', key: bad }] });
    expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('no N+1', () => {
  const PAVLODAR_BODIES = Array.from({ length: 20 }, (_, i) => `c0${i.toString(16).padStart(22, '0')}`);

  beforeAll(async () => {
    const ids = PAVLODAR_BODIES.map((_, i) => `d0${i.toString(16).padStart(22, '0')}`);
    await insertDirectory(
      h.subgraph.models,
      ids.map((servantId, i) => ({ id: servantId, periods: [{ from: '2015-01-01', stateBodyId: PAVLODAR_BODIES[i], region: 'PAVLODAR' }] })),
    );
    await h.subgraph.models.QuarterlyEvaluation.insertMany(
      ids.flatMap((servantId, i) => [1, 2, 3, 4].map((quarter) => ({ servantId, year: 2025, quarter, score: 50 + i * 2, recordedAt: NOW }))),
    );
  });

  async function commandsFor(keys: string[]) {
    h.counter.reset();
    const found = await segments(keys);
    expect(found.every((s) => s.bandDistribution !== null)).toBe(true);
    return h.counter.byCollection();
  }

  it('costs the same database commands for 3 segments as for 20, today and on a past day', async () => {
    await h.subgraph.alertFacts.catchUp();
    const regions = byRegion('2026-11-24');
    const three = await commandsFor(['ASTANA', 'KARAGANDA', 'ALMATY'].map((REGION) => key(regions, { REGION })));
    const bodies: SegmentQuery = { groupBy: ['STATE_BODY'], filter: { region: 'PAVLODAR' }, asOf: at('2026-11-24') };
    const twenty = await commandsFor(PAVLODAR_BODIES.map((STATE_BODY) => key(bodies, { STATE_BODY })));
    expect(twenty).toEqual(three);
    // Today from the facts in memory: the copy's newest number, its last entry read, the quarters' counter.
    expect(three).toEqual({ servant_directory: 2, counters: 1 });
    const past = byRegion('2026-06-30');
    const pastThree = await commandsFor(['ASTANA', 'KARAGANDA', 'ALMATY'].map((REGION) => key(past, { REGION })));
    const pastTwenty = await commandsFor(PAVLODAR_BODIES.map((STATE_BODY) => key({ ...bodies, asOf: at('2026-06-30') }, { STATE_BODY })));
    expect(pastTwenty).toEqual(pastThree);
    // A past day: one aggregation on the directory (its $lookup reads the quarters inside it).
    expect(pastThree).toEqual({ servant_directory: 1 });
  });
});
