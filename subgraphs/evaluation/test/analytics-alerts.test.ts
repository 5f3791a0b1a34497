import type { TokenClaims } from '@civil-service/shared';
import { latestOverdueQuarter } from '../src/rules/evaluation';
import { rulesLookup } from '../src/rules/reference';
import { startHarness, type Harness } from './helpers';
import { B2, ENTRIES, loadFixture, NOW, P, S, Z } from './fixture';

const ALERTS = `query ($filter: AlertFilter, $first: Int, $after: String) {
  evaluationAlerts(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { rule since detail servant { id } } }
  }
}`;

interface Alert {
  rule: string;
  since: string;
  detail: string;
  servant: { id: string };
}
interface Page {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: { cursor: string; node: Alert }[];
}

let now = NOW;
let h: Harness;
beforeAll(async () => {
  h = await startHarness(() => now);
  await loadFixture(h);
});
afterAll(() => h?.close());
afterEach(() => {
  now = NOW;
});

async function alerts(variables: Record<string, unknown> = {}, claims?: TokenClaims): Promise<Page> {
  const res = claims ? await h.gqlAs<{ evaluationAlerts: Page }>(claims, ALERTS, variables) : await h.gql<{ evaluationAlerts: Page }>(ALERTS, variables);
  expect(res.errors).toBeUndefined();
  return res.data!.evaluationAlerts;
}

const brief = (page: Page) => page.edges.map(({ node }) => [node.rule, node.servant.id, node.since]);

const ALL = [
  ['ASSESSMENT_REQUIRED', S.k2, '2025-01-01'],
  ['ASSESSMENT_REQUIRED', S.s1, '2025-12-25'],
  ['ASSESSMENT_REQUIRED', Z[3], '2025-12-25'],
  ['ASSESSMENT_REQUIRED', Z[4], '2025-12-25'],
  ['ASSESSMENT_REQUIRED', S.s3, '2026-11-10'],
  ['EVALUATION_MISSING', S.s2, '2026-10-21'],
  ['EVALUATION_MISSING', S.s6, '2026-10-21'],
  ['EVALUATION_MISSING', S.k2, '2026-10-21'],
];

describe('evaluationAlerts', () => {
  it('lists both rules for monitoring, in rule order, oldest first', async () => {
    const page = await alerts({ first: 100 });
    expect(page.totalCount).toBe(ALL.length);
    expect(brief(page)).toEqual(ALL);
    const detail = new Map(page.edges.map(({ node }) => [`${node.rule}:${node.servant.id}`, node.detail]));
    expect(detail.get(`ASSESSMENT_REQUIRED:${S.s1}`)).toBe('2025 annual score 63 (SATISFACTORY, from 4 quarters) is below EFFECTIVE: an assessment is required');
    expect(detail.get(`ASSESSMENT_REQUIRED:${S.k2}`)).toBe('2024 annual score 50 (SATISFACTORY, from 3 quarters) is below EFFECTIVE: an assessment is required');
    expect(detail.get(`ASSESSMENT_REQUIRED:${S.s3}`)).toMatch(/^2026 annual score 45 \(UNSATISFACTORY/);
    expect(detail.get(`EVALUATION_MISSING:${S.s2}`)).toBe('2026 Q3 not recorded by 2026-10-20');
  });

  it('flags exactly the servants in service whose assessmentRequired field is true', async () => {
    const res = await h.gql<{ _entities: { id: string; assessmentRequired: boolean | null }[] }>(
      `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on CivilServant { id assessmentRequired } } }`,
      { reps: ENTRIES.filter((e) => e.periods.at(-1)!.to == null).map((e) => ({ __typename: 'CivilServant', id: e.id })) },
    );
    const required = res.data!._entities.filter((s) => s.assessmentRequired).map((s) => s.id).sort();
    const page = await alerts({ filter: { rules: ['ASSESSMENT_REQUIRED'] }, first: 100 });
    expect(page.edges.map((e) => e.node.servant.id).sort()).toEqual(required);
    // s7 left with a SATISFACTORY year: not in service, no alert.
    expect(required).not.toContain(S.s7);
  });

  it('does not flag a servant who held a corps A position on the quarter\'s last day, or has the quarter recorded', async () => {
    const ids = (await alerts({ filter: { rules: ['EVALUATION_MISSING'] } })).edges.map((e) => e.node.servant.id);
    expect(ids).not.toContain(S.a7);
    expect(ids).not.toContain(S.s4);
    expect(ids).not.toContain(S.s1);
  });

  it('is in time on the due day and late the day after', async () => {
    now = new Date('2026-10-20T23:00:00Z');
    const onDueDay = await alerts({ filter: { rules: ['EVALUATION_MISSING'] } });
    // Q3 is still in time: the latest overdue quarter is Q2 (s6 joined after it, so is not flagged).
    expect(brief(onDueDay)).toEqual([
      ['EVALUATION_MISSING', S.s2, '2026-07-21'],
      ['EVALUATION_MISSING', S.k2, '2026-07-21'],
    ]);
    expect(onDueDay.edges[0].node.detail).toBe('2026 Q2 not recorded by 2026-07-20');
    now = new Date('2026-10-21T00:00:00Z');
    const dayAfter = await alerts({ filter: { rules: ['EVALUATION_MISSING'] } });
    expect(brief(dayAfter)).toEqual(ALL.filter(([rule]) => rule === 'EVALUATION_MISSING'));
  });

  it('narrows by region, by state body and by rule', async () => {
    expect(brief(await alerts({ filter: { region: 'ASTANA' } }))).toEqual(ALL.filter(([, id]) => [S.s1, S.s2, S.s3, S.s6].includes(id)));
    expect(brief(await alerts({ filter: { stateBodyId: B2.toUpperCase() } }))).toEqual(ALL.filter(([, id]) => id === S.k2));
    expect(brief(await alerts({ filter: { region: 'ALMATY', rules: ['EVALUATION_MISSING'] } }))).toEqual([]);
    expect((await alerts({ filter: { rules: ['EVALUATION_MISSING', 'TRAINING_OVERDUE'] } })).totalCount).toBe(3);
    expect((await alerts({ filter: { rules: ['TRAINING_OVERDUE'] } })).totalCount).toBe(0);
  });

  it('gives hr the servants of its body and the bodies under it only, and refuses an analyst', async () => {
    const parent = await alerts({ first: 100 }, { role: 'hr', stateBody: P });
    expect(brief(parent)).toEqual(ALL.filter(([, id]) => [S.s1, S.s2, S.s3, S.s6].includes(id)));
    expect(brief(await alerts({}, { role: 'hr', stateBody: B2 }))).toEqual(ALL.filter(([, id]) => id === S.k2));
    expect((await alerts({}, { role: 'hr', stateBody: 'eeeeeeeeeeeeeeeeeeeeeeee' })).totalCount).toBe(0);
    const analyst = await h.gqlAs({ role: 'analyst' }, ALERTS, {});
    expect(analyst.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('pages with cursors', async () => {
    const first = await alerts({ first: 3 });
    expect(first.totalCount).toBe(ALL.length);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = await alerts({ first: 3, after: first.pageInfo.endCursor });
    const third = await alerts({ first: 3, after: second.pageInfo.endCursor });
    expect(third.pageInfo.hasNextPage).toBe(false);
    expect([...brief(first), ...brief(second), ...brief(third)]).toEqual(ALL);
    expect((await alerts({ first: 0 })).edges).toEqual([]);
  });

  it('answers a repeated list from memory, reading only the change numbers', async () => {
    await alerts();
    h.counter.reset();
    await alerts({ filter: { rules: ['EVALUATION_MISSING'] } });
    // The copy's newest number and its last entry read; the quarters' counter. Nothing per servant.
    expect(h.counter.byCollection()).toEqual({ servant_directory: 2, counters: 1 });
  });

  it('sees a quarter recorded through the API on the next list, reading only that servant again', async () => {
    const res = await h.gql('mutation($s: ID!) { recordEvaluation(input: { servantId: $s, year: 2026, quarter: 3, score: 4 }) { score } }', { s: S.s2 });
    expect(res.errors).toBeUndefined();
    h.counter.reset();
    const page = await alerts({ first: 100 });
    expect(brief(page)).toEqual(ALL.filter(([rule, id]) => !(rule === 'EVALUATION_MISSING' && id === S.s2)));
    // One read of the changed servants' ids and one of their quarters, whatever the size of the service.
    expect(h.counter.byCollection()).toMatchObject({ quarterlyevaluations: 2 });
  });

  it.each<[string, Record<string, unknown>]>([
    ['a state body id that is not one', { filter: { stateBodyId: 'nope' } }],
    ['an unknown region', { filter: { region: 'ATLANTIS' } }],
    ['an unknown rule', { filter: { rules: ['NOPE'] } }],
    ['a negative first', { first: -1 }],
    ['a cursor not from this list', { after: 'bogus' }],
  ])('refuses %s with BAD_USER_INPUT', async (_label, variables) => {
    h.counter.reset();
    const res = await h.gql(ALERTS, variables);
    expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    expect(h.counter.total()).toBe(0);
  });
});

describe('latestOverdueQuarter', () => {
  const rulesAt = rulesLookup();
  it.each([
    ['2026-01-20', 2025, 3],
    ['2026-01-21', 2025, 4],
    ['2026-04-20', 2025, 4],
    ['2026-04-21', 2026, 1],
    ['2026-12-31', 2026, 3],
    ['2026-10-20T23:59:59', 2026, 2],
  ])('on %s is %i Q%i', (iso, year, quarter) => {
    const found = latestOverdueQuarter(new Date(iso.length > 10 ? `${iso}Z` : `${iso}T00:00:00Z`), rulesAt);
    expect([found.year, found.quarter]).toEqual([year, quarter]);
  });
});
