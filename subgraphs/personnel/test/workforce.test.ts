import { renewCounter, type TokenClaims } from '@civil-service/shared';
import { STAFF_LIST_COUNTER } from '../src/analytics/vacancies';
import { d, startHarness, type Harness } from './helpers';
import { workforceFixture } from './workforce-fixture';

let h: Harness;
let f: Awaited<ReturnType<typeof workforceFixture>>;
beforeAll(async () => {
  h = await startHarness();
  f = await workforceFixture(h.db, h.models);
});
afterAll(() => h.stop());

const MONITORING: TokenClaims = { role: 'monitoring', purpose: 'subgraph test' };
const ANALYST: TokenClaims = { role: 'analyst' };

const WORKFORCE = /* GraphQL */ `
  query W($groupBy: [WorkforceDimension!]!, $filter: WorkforceFilter, $asOf: Date) {
    workforce(groupBy: $groupBy, filter: $filter, asOf: $asOf) {
      key asOf region stateBodyLevel corps categoryCode gender ageBand stateBody { id name } suppressed
      headcount vacancies womenShare averageTenureYears sanctionsPer1000 rotationsLast12Months
    }
  }`;
type Segment = Record<string, unknown> & { key: string; suppressed: boolean; headcount: number | null };

async function ask(variables: Record<string, unknown>, as: TokenClaims = MONITORING) {
  const res = await h.query<{ workforce: Segment[] }>(WORKFORCE, variables, as);
  expect(res.errors).toBeUndefined();
  return res.data!.workforce;
}
/** The segments as [dimension value(s), measure...] rows, for compact expectations. */
const rows = (segments: Segment[], dims: string[], measures: string[]) => segments.map((s) => [...dims.map((x) => s[x]), ...measures.map((x) => s[x])]);

const DAY = 86_400_000;
/** Days of service up to asOf, both ends inclusive: worked out apart from the pipeline. */
function serviceDays(periods: Array<[string, string, string | null]>, asOf: string): number {
  return periods.reduce((sum, [, from, to]) => {
    if (d(from) > d(asOf)) return sum;
    const end = to === null || d(to) > d(asOf) ? d(asOf) : d(to);
    return sum + (end.getTime() - d(from).getTime()) / DAY + 1;
  }, 0);
}
const averageTenure = (names: string[], asOf: string) => {
  const total = names.reduce((n, name) => n + serviceDays(f.servants.find((s) => s.name === name)!.periods, asOf), 0);
  return Math.round((total / names.length / 365.25) * 100) / 100;
};

const TODAY = '2026-11-24';
const PAST = '2025-06-30';
const ASTANA_TODAY = ['s1', 's2', 's3', 's4', 's5', 's7'];
const KARAGANDA_TODAY = ['s8', 's9', 's10', 's11', 's12'];
const PAVLODAR_TODAY = ['s14', 's15'];

describe('measures worked out by hand', () => {
  it('totals today (no grouping)', async () => {
    const [total] = await ask({ groupBy: [] });
    expect(total).toMatchObject({
      asOf: TODAY, region: null, stateBody: null, suppressed: false, headcount: 13,
      // 17 positions, 13 held: mB5 (s6 left), kB6 (s13 retired), kB7 (s5 moved on), pB1 (s9 moved on).
      vacancies: 4, womenShare: 8 / 13, sanctionsPer1000: 230.8, rotationsLast12Months: 1,
      averageTenureYears: averageTenure([...ASTANA_TODAY, ...KARAGANDA_TODAY, ...PAVLODAR_TODAY], TODAY),
    });
  });

  it('by region today: a sanction on the last day of the window counts, one exactly 12 months back does not', async () => {
    const segments = await ask({ groupBy: ['REGION'] });
    expect(rows(segments, ['region'], ['headcount', 'vacancies', 'womenShare', 'sanctionsPer1000', 'rotationsLast12Months', 'averageTenureYears'])).toEqual([
      ['ASTANA', 6, 1, 4 / 6, 166.7, 0, averageTenure(ASTANA_TODAY, TODAY)],
      ['KARAGANDA', 5, 2, 0.6, 200, 1, averageTenure(KARAGANDA_TODAY, TODAY)],
      ['PAVLODAR', 2, 1, 0.5, 500, 0, averageTenure(PAVLODAR_TODAY, TODAY)],
    ]);
    expect(new Set(segments.map((s) => s.key)).size).toBe(3);
  });

  it('by region in the past: a since-dismissed servant counts, a later hire does not, history places everyone', async () => {
    const segments = await ask({ groupBy: ['REGION'], asOf: PAST });
    expect(segments.every((s) => s.asOf === PAST)).toBe(true);
    expect(rows(segments, ['region'], ['headcount', 'vacancies', 'womenShare', 'sanctionsPer1000', 'rotationsLast12Months', 'averageTenureYears'])).toEqual([
      // s6 (dismissed 2026) counts; s7 (hired 2026) does not; s5's rotation of 2024-09-01 is in the window.
      ['ASTANA', 6, 1, 0.5, 166.7, 1, averageTenure(['s1', 's2', 's3', 's4', 's5', 's6'], PAST)],
      // s13 (retired 2025-12-31) counts; s9 was still in PAVLODAR.
      ['KARAGANDA', 5, 2, 0.6, 200, 0, averageTenure(['s8', 's10', 's11', 's12', 's13'], PAST)],
      ['PAVLODAR', 3, 0, 1 / 3, 0, 0, averageTenure(['s9', 's14', 's15'], PAST)],
    ]);
  });

  it('by state body, with the body itself', async () => {
    const segments = await ask({ groupBy: ['STATE_BODY'] });
    const byBody = new Map(segments.map((s) => [(s.stateBody as { id: string }).id, s]));
    expect(byBody.get(f.bodies.M._id.toHexString())).toMatchObject({ stateBody: { name: f.bodies.M.name }, region: null, headcount: 6, vacancies: 1 });
    expect(byBody.get(f.bodies.K._id.toHexString())).toMatchObject({ stateBody: { name: f.bodies.K.name }, headcount: 5, vacancies: 2 });
    expect(byBody.get(f.bodies.P._id.toHexString())).toMatchObject({ stateBody: { name: f.bodies.P.name }, headcount: 2, vacancies: 1 });
  });

  it('resolves a segment by its key as the list answers it, body and day included', async () => {
    const listed = await ask({ groupBy: ['STATE_BODY', 'CORPS'], filter: { region: 'ASTANA' } });
    const res = await h.query<{ _entities: Array<Segment | null> }>(
      /* GraphQL */ `query E($r: [_Any!]!) { _entities(representations: $r) { ... on WorkforceSegment {
        key asOf region stateBodyLevel corps categoryCode gender ageBand stateBody { id name } suppressed
        headcount vacancies womenShare averageTenureYears sanctionsPer1000 rotationsLast12Months } } }`,
      { r: [...listed.map((s) => ({ __typename: 'WorkforceSegment', key: s.key })), { __typename: 'WorkforceSegment', key: 'w2;not a key' }] },
      MONITORING,
    );
    expect(listed.length).toBeGreaterThan(1);
    expect(res.data!._entities.slice(0, listed.length)).toEqual(listed);
    expect(res.data!._entities[listed.length]).toBeNull();
    expect(res.errors?.map((e) => [e.path?.join('.'), e.extensions?.code])).toEqual([[`_entities.${listed.length}`, 'BAD_USER_INPUT']]);
  });

  it('names the bodies from memory, read again when the seeder renews the staff list', async () => {
    const nameOf = async (asOf?: string) => {
      const segments = await ask({ groupBy: ['STATE_BODY'], ...(asOf ? { asOf } : {}) });
      return (segments.find((s) => (s.stateBody as { id: string }).id === f.bodies.M._id.toHexString())!.stateBody as { name: string }).name;
    };
    await nameOf();
    h.counter.reset();
    expect(await nameOf()).toBe(f.bodies.M.name);
    expect(h.counter.byCollection().state_bodies).toBeUndefined();
    try {
      await h.db.collection('state_bodies').updateOne({ _id: f.bodies.M._id }, { $set: { name: 'Министерство (переименовано)' } });
      await renewCounter(h.db, STAFF_LIST_COUNTER);
      expect(await nameOf()).toBe('Министерство (переименовано)');
      expect(await nameOf(PAST)).toBe('Министерство (переименовано)');
    } finally {
      await h.db.collection('state_bodies').updateOne({ _id: f.bodies.M._id }, { $set: { name: f.bodies.M.name } });
      await renewCounter(h.db, STAFF_LIST_COUNTER);
    }
  });

  it('by level, corps and category code (a category with vacancies but nobody in it has no segment)', async () => {
    expect(rows(await ask({ groupBy: ['STATE_BODY_LEVEL'] }), ['stateBodyLevel'], ['headcount', 'vacancies'])).toEqual([
      ['CENTRAL_TERRITORIAL_OBLAST', 5, 2],
      ['CENTRAL', 6, 1],
      ['LOCAL_OBLAST', 2, 1],
    ]);
    expect(rows(await ask({ groupBy: ['CORPS'] }), ['corps'], ['headcount', 'vacancies', 'womenShare'])).toEqual([
      ['A', 1, 0, 1],
      ['B', 12, 4, 7 / 12],
    ]);
    expect(rows(await ask({ groupBy: ['CATEGORY_CODE'] }), ['categoryCode'], ['headcount', 'vacancies'])).toEqual([
      ['A-3', 1, 0],
      ['C-4', 5, 1],
      ['C-O-4', 5, 1],
      ['D-3', 2, 1],
    ]);
  });

  it('by gender and by age band: no vacancies (a vacancy has neither)', async () => {
    expect(rows(await ask({ groupBy: ['GENDER'] }), ['gender'], ['headcount', 'vacancies', 'womenShare', 'sanctionsPer1000'])).toEqual([
      ['FEMALE', 8, null, 1, 250],
      ['MALE', 5, null, 0, 200],
    ]);
    expect(rows(await ask({ groupBy: ['AGE_BAND'] }), ['ageBand'], ['headcount', 'vacancies'])).toEqual([
      ['FROM_30_TO_39', 4, null],
      ['FROM_40_TO_49', 4, null],
      ['FROM_50_TO_59', 2, null],
      ['UNDER_30', 3, null],
    ]);
  });

  it('by two dimensions', async () => {
    expect(rows(await ask({ groupBy: ['REGION', 'CORPS'] }), ['region', 'corps'], ['headcount', 'vacancies'])).toEqual([
      ['ASTANA', 'A', 1, 0],
      ['ASTANA', 'B', 5, 1],
      ['KARAGANDA', 'B', 5, 2],
      ['PAVLODAR', 'B', 2, 1],
    ]);
    expect(rows(await ask({ groupBy: ['REGION', 'GENDER'] }), ['region', 'gender'], ['headcount', 'vacancies'])).toEqual([
      ['ASTANA', 'FEMALE', 4, null],
      ['ASTANA', 'MALE', 2, null],
      ['KARAGANDA', 'FEMALE', 3, null],
      ['KARAGANDA', 'MALE', 2, null],
      ['PAVLODAR', 'FEMALE', 1, null],
      ['PAVLODAR', 'MALE', 1, null],
    ]);
  });

  it.each<[string, Record<string, unknown>, string[], Array<unknown[]>]>([
    ['region', { region: 'KARAGANDA' }, ['CORPS'], [['B', 5, 2]]],
    ['state body', { stateBodyId: 'K' }, [], [[null, 5, 2]]],
    ['level', { stateBodyLevel: 'LOCAL_OBLAST' }, [], [[null, 2, 1]]],
    ['corps', { corps: 'A' }, ['CORPS'], [['A', 1, 0]]],
    ['category code', { categoryCode: 'C-4' }, ['REGION'], [['ASTANA', 5, 1]]],
    ['gender', { gender: 'FEMALE' }, ['REGION'], [['ASTANA', 4, null], ['KARAGANDA', 3, null], ['PAVLODAR', 1, null]]],
  ])('filters by %s', async (_label, filter, groupBy, expected) => {
    if (filter.stateBodyId === 'K') filter.stateBodyId = f.bodies.K._id.toHexString();
    const segments = await ask({ groupBy, filter });
    const dim = groupBy.length ? ({ CORPS: 'corps', REGION: 'region' } as Record<string, string>)[groupBy[0]] : 'region';
    expect(rows(segments, [dim], ['headcount', 'vacancies'])).toEqual(expected);
  });
});

describe('suppression', () => {
  it('shows monitoring every segment, and hides from an analyst the small one and the one that would reveal it', async () => {
    const segments = await ask({ groupBy: ['REGION'] }, ANALYST);
    expect(rows(segments, ['region'], ['suppressed', 'headcount', 'vacancies', 'womenShare', 'averageTenureYears', 'sanctionsPer1000', 'rotationsLast12Months'])).toEqual([
      ['ASTANA', false, 6, 1, 4 / 6, averageTenure(ASTANA_TODAY, TODAY), 166.7, 0],
      // Secondary: with PAVLODAR (2) hidden, the total would give it away from the other two.
      ['KARAGANDA', true, null, null, null, null, null, null],
      ['PAVLODAR', true, null, null, null, null, null, null],
    ]);
    expect((await ask({ groupBy: ['REGION'] })).every((s) => !s.suppressed)).toBe(true);
  });

  it('applies the secondary rule along every line of a two-dimensional answer', async () => {
    const segments = await ask({ groupBy: ['REGION', 'CORPS'] }, ANALYST);
    expect(rows(segments, ['region', 'corps'], ['suppressed', 'headcount'])).toEqual([
      ['ASTANA', 'A', true, null],
      ['ASTANA', 'B', true, null],
      ['KARAGANDA', 'B', false, 5],
      ['PAVLODAR', 'B', true, null],
    ]);
  });

  it('keeps the answer from roles that may not see aggregates', async () => {
    const res = await h.query(WORKFORCE, { groupBy: [] }, { role: 'feedback' });
    expect(res.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });
});

describe('bad input', () => {
  it.each<[string, Record<string, unknown>]>([
    ['a dimension twice', { groupBy: ['REGION', 'REGION'] }],
    ['a future day', { groupBy: [], asOf: '2026-11-25' }],
    ['a malformed state body id', { groupBy: [], filter: { stateBodyId: 'xyz' } }],
    ['an unknown state body', { groupBy: [], filter: { stateBodyId: 'ffffffffffffffffffffffff' } }],
    ['a malformed category code', { groupBy: [], filter: { categoryCode: 'Z-9' } }],
  ])('refuses %s with BAD_USER_INPUT', async (_label, variables) => {
    const res = await h.query(WORKFORCE, variables, ANALYST);
    expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.data?.workforce ?? null).toBeNull();
  });

  it('refuses an unknown dimension before any resolver runs', async () => {
    const res = await h.query(WORKFORCE, { groupBy: ['PLANET'] }, ANALYST);
    expect(res.errors?.length).toBeGreaterThan(0);
    expect(res.data?.workforce ?? null).toBeNull();
  });
});

describe('no N+1', () => {
  it('asks the database as often for a dozen segments as for two or three', async () => {
    const commands = async (groupBy: string[]) => {
      h.counter.reset();
      const segments = await ask({ groupBy });
      return { segments: segments.length, commands: h.counter.byCollection() };
    };
    const few = await commands(['STATE_BODY']);
    const many = await commands(['STATE_BODY', 'CATEGORY_CODE', 'CORPS']);
    expect([few.segments, many.segments]).toEqual([3, 4]);
    const byAge = await commands(['GENDER']);
    const byAgeAndGender = await commands(['AGE_BAND', 'GENDER', 'REGION']);
    expect(byAge.segments).toBe(2);
    expect(byAgeAndGender.segments).toBeGreaterThanOrEqual(10);
    expect(byAgeAndGender.commands).toEqual(byAge.commands);
    expect(many.commands).toEqual(few.commands);
  });
});

describe('rotationFlows', () => {
  const FLOWS = /* GraphQL */ `query F($from: Date!, $to: Date!) { rotationFlows(from: $from, to: $to) { scheme fromRegion toRegion count suppressed } }`;
  const flows = (from: string, to: string, as: TokenClaims = MONITORING) => h.query<{ rotationFlows: Array<Record<string, unknown>> }>(FLOWS, { from, to }, as);

  it('counts rotations by scheme and region pair, both ends of the period included', async () => {
    expect((await flows('2000-01-01', TODAY)).data!.rotationFlows).toEqual([
      { scheme: 'CENTER_TO_REGION', fromRegion: 'ASTANA', toRegion: 'KARAGANDA', count: 1, suppressed: false },
      { scheme: 'INTERREGIONAL', fromRegion: 'PAVLODAR', toRegion: 'KARAGANDA', count: 1, suppressed: false },
      { scheme: 'REGION_TO_CENTER', fromRegion: 'KARAGANDA', toRegion: 'ASTANA', count: 1, suppressed: false },
    ]);
    expect((await flows('2026-03-01', '2026-03-01')).data!.rotationFlows).toEqual([
      { scheme: 'INTERREGIONAL', fromRegion: 'PAVLODAR', toRegion: 'KARAGANDA', count: 1, suppressed: false },
    ]);
    expect((await flows('2026-03-02', TODAY)).data!.rotationFlows).toEqual([]);
  });

  it('hides small flows from an analyst', async () => {
    const shown = (await flows('2000-01-01', TODAY, ANALYST)).data!.rotationFlows;
    expect(shown.map((x) => [x.count, x.suppressed])).toEqual([
      [null, true],
      [null, true],
      [null, true],
    ]);
  });

  it('refuses a period that ends before it starts', async () => {
    const res = await flows('2026-03-02', '2026-03-01');
    expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe("today's figures after a write", () => {
  it('count a sanction imposed through the API at once (the figures in memory are read again)', async () => {
    const [before] = await ask({ groupBy: [] });
    expect(before.sanctionsPer1000).toBe(230.8);
    const s1 = f.servants.find((s) => s.name === 's1')!._id.toHexString();
    const res = await h.query(`mutation($input: SanctionInput!) { imposeSanction(input: $input) { id } }`, {
      input: { servantId: s1, type: 'REPRIMAND', imposedOn: '2026-11-20', orderNumber: '777-ЛС/2026', grounds: 'Нарушение служебной дисциплины' },
    });
    expect(res.errors).toBeUndefined();
    const [after] = await ask({ groupBy: [] });
    // 4 sanctions in the 12 months among 13 servants.
    expect(after.sanctionsPer1000).toBe(307.7);
  });
});
