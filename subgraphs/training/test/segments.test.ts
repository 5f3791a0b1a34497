import { encodeSegmentKey, REGIONS, type SegmentQuery } from '@civil-service/shared';
import { d, program, record, servantId, startHarness, type Harness } from './helpers';
import { BODY, directoryEntry, enlist, period } from './directory';

/**
 * WorkforceSegment measures on a hand-built directory and learning records (today 2026-11-24, a
 * 36-month period: completions from 2023-11-24 on count today, from 2022-01-01 on 2025-01-01).
 *
 * ASTANA (ministry), 6 servants in service today, 5 on 2025-01-01:
 *   a1 completed 2023-11-24 (16 h): the period's first day, counts
 *   a2 completed 2023-11-23 (16 h): one day too early today, counts on 2025-01-01
 *   a3 completed 2024-05-10 (20 h) and 2025-03-07 (36 h)
 *   a4 nothing; a5 completed 2026-06-01 (40 h) plus a withdrawal and a running course
 *   a6 joined 2025-06-01, nothing
 * KARAGANDA: k1 completed 2025-01-10 (80 h), k2 nothing. SHYMKENT: s1 completed 2026-01-15 (24 h).
 * A dismissed servant with a recent completion counts nowhere.
 */
let h: Harness;
const ids = Object.fromEntries(['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'k1', 'k2', 's1', 'gone'].map((n) => [n, servantId()]));
const SHYMKENT_BODY = '65a0000000000000000000aa';
const MONITORING = { role: 'monitoring', purpose: 'segment test' } as const;
const ANALYST = { role: 'analyst' } as const;

const ENTITIES = `query($representations: [_Any!]!) {
  _entities(representations: $representations) {
    ... on WorkforceSegment { key trainedLast36Months trainingCoverage averageTrainingHours }
  }
}`;
type SegmentView = { key: string; trainedLast36Months: number | null; trainingCoverage: number | null; averageTrainingHours: number | null };

const byRegion = (asOf: Date): SegmentQuery => ({ groupBy: ['REGION'], filter: {}, asOf });
const keyOf = (query: SegmentQuery, region: string) => encodeSegmentKey(query, { REGION: region });

async function segments(claims: typeof MONITORING | typeof ANALYST, keys: string[]) {
  const res = await h.queryAs<{ _entities: SegmentView[] }>(claims, ENTITIES, { representations: keys.map((key) => ({ __typename: 'WorkforceSegment', key })) });
  expect(res.errors).toBeUndefined();
  return res.data!._entities;
}

beforeAll(async () => {
  h = await startHarness({ minCell: 5 });
  const course = program({ title: 'Ethics', academicHours: 80 });
  const other = program({ title: 'Digital government', academicHours: 80 });
  await h.app.models.TrainingProgram.insertMany([course, other]);
  const done = (who: string, end: string, hours: number, p = course) =>
    record(ids[who], p._id, { startDate: d(end), endDate: d(end), hours });
  await h.app.models.LearningRecord.insertMany([
    done('a1', '2023-11-24', 16),
    done('a2', '2023-11-23', 16),
    done('a3', '2024-05-10', 20),
    done('a3', '2025-03-07', 36, other),
    done('a5', '2026-06-01', 40),
    record(ids.a5, other._id, { status: 'WITHDRAWN', startDate: d('2026-02-02'), endDate: null, hours: null, certificateNo: null }),
    record(ids.a5, other._id, { status: 'ENROLLED', startDate: d('2026-11-16'), endDate: null, hours: null, certificateNo: null }),
    done('k1', '2025-01-10', 80),
    done('s1', '2026-01-15', 24),
    done('gone', '2026-01-15', 24),
  ]);
  const shymkent = period({ stateBodyId: SHYMKENT_BODY, region: 'SHYMKENT', stateBodyLevel: 'LOCAL_OBLAST' });
  await enlist(
    h.app.models.Directory,
    ...['a1', 'a2', 'a3', 'a4', 'a5'].map((n) => directoryEntry(ids[n])),
    directoryEntry(ids.a6, { periods: [period({ from: d('2025-06-01') })] }),
    directoryEntry(ids.k1, { periods: [period({ stateBodyId: BODY.department })] }),
    directoryEntry(ids.k2, { periods: [period({ stateBodyId: BODY.akimat })] }),
    directoryEntry(ids.s1, { periods: [shymkent] }),
    directoryEntry(ids.gone, { periods: [period({ to: d('2024-12-31') })] }),
  );
});
afterAll(async () => {
  await h?.stop();
});

describe('WorkforceSegment measures', () => {
  it('counts completions within the period up to today, the first day of the period included', async () => {
    const q = byRegion(d('2026-11-24'));
    const [astana, karaganda, shymkent] = await segments(MONITORING, [keyOf(q, 'ASTANA'), keyOf(q, 'KARAGANDA'), keyOf(q, 'SHYMKENT')]);
    // a1, a3, a5 of 6; hours 16 + 20 + 36 + 40 = 112 over 6 servants.
    expect(astana).toEqual({ key: keyOf(q, 'ASTANA'), trainedLast36Months: 3, trainingCoverage: 0.5, averageTrainingHours: 18.7 });
    expect(karaganda).toMatchObject({ trainedLast36Months: 1, trainingCoverage: 0.5, averageTrainingHours: 40 });
    expect(shymkent).toMatchObject({ trainedLast36Months: 1, trainingCoverage: 1, averageTrainingHours: 24 });
  });

  it('answers a past day from the servants and completions of that day', async () => {
    const q = byRegion(d('2025-01-01'));
    const [astana, karaganda] = await segments(MONITORING, [keyOf(q, 'ASTANA'), keyOf(q, 'KARAGANDA')]);
    // a1, a2, a3 (its 2024 course only) of 5: a6 had not joined, a5's course was still ahead.
    expect(astana).toMatchObject({ trainedLast36Months: 3, trainingCoverage: 0.6, averageTrainingHours: 10.4 });
    expect(karaganda).toMatchObject({ trainedLast36Months: 0, trainingCoverage: 0, averageTrainingHours: 0 });
  });

  it('agrees with trainingOverdue: the trained are exactly the servants not overdue', async () => {
    const res = await h.query<{ _entities: Array<{ id: string; trainingOverdue: boolean }> }>(
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on CivilServant { id trainingOverdue } } }',
      { r: ['a1', 'a2', 'a3', 'a4', 'a5', 'a6'].map((n) => ({ __typename: 'CivilServant', id: ids[n] })) },
    );
    expect(res.data!._entities.filter((s) => !s.trainingOverdue).map((s) => s.id)).toEqual([ids.a1, ids.a3, ids.a5]);
  });

  it('hides small segments, and one that a total would give away, from an analyst; monitoring sees all', async () => {
    const q = byRegion(d('2026-11-24'));
    const keys = [keyOf(q, 'ASTANA'), keyOf(q, 'KARAGANDA'), keyOf(q, 'SHYMKENT')];
    const seen = await segments(ANALYST, keys);
    expect(seen[0]).toMatchObject({ trainedLast36Months: 3 });
    // KARAGANDA (2) and SHYMKENT (1) are below 5: every measure null.
    for (const s of seen.slice(1)) expect(s).toMatchObject({ trainedLast36Months: null, trainingCoverage: null, averageTrainingHours: null });
    const all = await segments(MONITORING, keys);
    expect(all.map((s) => s.trainedLast36Months)).toEqual([3, 1, 1]);
  });

  it('resolves a segment no servant falls in to null measures', async () => {
    const q = byRegion(d('2026-11-24'));
    const [empty] = await segments(MONITORING, [keyOf(q, 'ABAI')]);
    expect(empty).toEqual({ key: keyOf(q, 'ABAI'), trainedLast36Months: null, trainingCoverage: null, averageTrainingHours: null });
  });

  it('refuses a key that is not a segment key (BAD_USER_INPUT)', async () => {
    const q = byRegion(d('2026-11-24'));
    const res = await h.queryAs(MONITORING, ENTITIES, { representations: [{ __typename: 'WorkforceSegment', key: 'not-a-key' }] });
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const future = await h.queryAs(MONITORING, ENTITIES, { representations: [{ __typename: 'WorkforceSegment', key: keyOf(byRegion(d('2027-01-01')), 'ASTANA') }] });
    expect(future.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    // A bad key fails alone; the good one beside it is answered.
    const mixed = await h.queryAs<{ _entities: Array<SegmentView | null> }>(MONITORING, ENTITIES, {
      representations: [{ __typename: 'WorkforceSegment', key: 'bad' }, { __typename: 'WorkforceSegment', key: keyOf(q, 'ASTANA') }],
    });
    expect(mixed.data!._entities[1]).toMatchObject({ trainedLast36Months: 3 });
  });

  it.each([
    // Today from the facts in memory: the copy's newest number, its last entry read, the completions' counter.
    ['today', '2026-11-24', { servant_directory: 2, counters: 1 }],
    // A past day: one pipeline on the directory copy (its $lookup reads the records inside it).
    ['a past day', '2025-01-01', { servant_directory: 1 }],
  ])('costs the same database commands for 20 segments as for 3 (%s)', async (_label, day, expected) => {
    await h.app.alertFacts.catchUp();
    const q = byRegion(d(day));
    h.counter.reset();
    await segments(MONITORING, REGIONS.slice(0, 3).map((r) => keyOf(q, r)));
    const three = h.counter.byCollection();
    h.counter.reset();
    await segments(MONITORING, REGIONS.map((r) => keyOf(q, r)));
    const twenty = h.counter.byCollection();
    expect(twenty).toEqual(three);
    expect(three).toEqual(expected);
  });
});
