import { d, program, record, servantId, startHarness, type Harness } from './helpers';
import { BODY, directoryEntry, enlist, period } from './directory';

/**
 * trainingAlerts on a hand-built directory (today 2026-11-24; the retraining triggers are in force
 * from 2015-11-23, the window is 6 months):
 *   o1 ministry: last completion 2023-11-23, overdue from 2026-11-24 (TRAINING_OVERDUE)
 *   o2 department (KARAGANDA): never trained, in service since 2015-01-12 (TRAINING_OVERDUE; its
 *      corps B entry predates the retraining rule)
 *   ok ministry: completed 2023-11-24, the period's first day: not overdue
 *   r1 akimat (KARAGANDA): corps B 2020-02-03 retrained 2020-05-15, managerial from 2022-06-01 with
 *      no retraining since (RETRAINING_OVERDUE from 2022-12-02)
 *   r2 ministry: corps B since 2026-08-01, retraining not yet due (TRAINING_OVERDUE only: nothing completed)
 *   r3 ministry: corps B 2021-01-11, retrained late (2021-09-01): done
 *   r4 department: managerial from 2019-03-01, retrained, then another managerial post: no new trigger
 *   gone: dismissed, never trained: no alert (not in service)
 */
let h: Harness;
const ids = Object.fromEntries(['o1', 'o2', 'ok', 'r1', 'r2', 'r3', 'r4', 'gone'].map((n) => [n, servantId()]));
const MONITORING = { role: 'monitoring', purpose: 'alert test' } as const;

const ALERTS = `query($filter: AlertFilter, $first: Int, $after: String) {
  trainingAlerts(filter: $filter, first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { cursor node { rule since detail servant { id } } }
  }
}`;
interface Page {
  totalCount: number;
  pageInfo: { hasNextPage: boolean; endCursor: string | null };
  edges: Array<{ cursor: string; node: { rule: string; since: string; detail: string; servant: { id: string } } }>;
}

async function alerts(variables: Record<string, unknown> = {}, claims: Record<string, unknown> = MONITORING) {
  const res = await h.queryAs<{ trainingAlerts: Page }>(claims as typeof MONITORING, ALERTS, variables);
  expect(res.errors).toBeUndefined();
  return res.data!.trainingAlerts;
}
const who = (page: Page) => page.edges.map((e) => [e.node.rule, Object.keys(ids).find((k) => ids[k] === e.node.servant.id)]);

beforeAll(async () => {
  h = await startHarness();
  const course = program({ title: 'Ethics', academicHours: 16 });
  const retraining = program({ title: 'Retraining', type: 'RETRAINING', academicHours: 120 });
  await h.app.models.TrainingProgram.insertMany([course, retraining]);
  const done = (n: string, end: string, p = course) => record(ids[n], p._id, { startDate: d(end), endDate: d(end), hours: p.academicHours });
  await h.app.models.LearningRecord.insertMany([
    done('o1', '2023-11-23'),
    done('ok', '2023-11-24'),
    done('r1', '2020-05-15', retraining),
    done('r1', '2025-02-01'),
    done('r3', '2021-09-01', retraining),
    done('r3', '2025-04-01'),
    done('r4', '2019-06-01', retraining),
    done('r4', '2024-06-01'),
  ]);
  await enlist(
    h.app.models.Directory,
    directoryEntry(ids.o1),
    directoryEntry(ids.o2, { periods: [period({ stateBodyId: BODY.department })] }),
    directoryEntry(ids.ok),
    directoryEntry(ids.r1, {
      periods: [
        period({ stateBodyId: BODY.akimat, from: d('2020-02-03'), to: d('2022-05-31') }),
        period({ stateBodyId: BODY.akimat, from: d('2022-06-01'), managerial: true }),
      ],
    }),
    directoryEntry(ids.r2, { periods: [period({ from: d('2026-08-01') })] }),
    directoryEntry(ids.r3, { periods: [period({ from: d('2021-01-11') })] }),
    directoryEntry(ids.r4, {
      periods: [
        period({ stateBodyId: BODY.department, from: d('2019-03-01'), to: d('2022-12-31'), corps: 'A', categoryCode: 'A-3', managerial: true }),
        period({ stateBodyId: BODY.department, from: d('2023-01-01'), corps: 'A', categoryCode: 'A-2', managerial: true }),
      ],
    }),
    directoryEntry(ids.gone, { periods: [period({ to: d('2024-12-31') })] }),
  );
});
afterAll(async () => {
  await h?.stop();
});

describe('trainingAlerts', () => {
  it('lists both rules for the servants in service, rule by rule, oldest first, with since and detail', async () => {
    const page = await alerts();
    expect(page.totalCount).toBe(4);
    expect(page.pageInfo.hasNextPage).toBe(false);
    expect(page.edges.map((e) => e.node)).toEqual([
      { rule: 'TRAINING_OVERDUE', since: '2015-01-12', detail: 'no completed training on record', servant: { id: ids.o2 } },
      { rule: 'TRAINING_OVERDUE', since: '2026-08-01', detail: 'no completed training on record', servant: { id: ids.r2 } },
      { rule: 'TRAINING_OVERDUE', since: '2026-11-24', detail: 'no completed training since 2023-11-23 (36-month period)', servant: { id: ids.o1 } },
      {
        rule: 'RETRAINING_OVERDUE',
        since: '2022-12-02',
        detail: 'no retraining completed since appointment to a managerial position on 2022-06-01 (due by 2022-12-01)',
        servant: { id: ids.r1 },
      },
    ]);
  });

  it('agrees with trainingOverdue on every servant in service', async () => {
    const listed = new Set((await alerts({ filter: { rules: ['TRAINING_OVERDUE'] } })).edges.map((e) => e.node.servant.id));
    const inService = ['o1', 'o2', 'ok', 'r1', 'r2', 'r3', 'r4'].map((n) => ids[n]);
    const res = await h.query<{ _entities: Array<{ id: string; trainingOverdue: boolean }> }>(
      'query($r: [_Any!]!) { _entities(representations: $r) { ... on CivilServant { id trainingOverdue } } }',
      { r: inService.map((id) => ({ __typename: 'CivilServant', id })) },
    );
    expect(new Set(res.data!._entities.filter((s) => s.trainingOverdue).map((s) => s.id))).toEqual(listed);
  });

  it('filters by region, state body and rules', async () => {
    expect(who(await alerts({ filter: { region: 'KARAGANDA' } }))).toEqual([['TRAINING_OVERDUE', 'o2'], ['RETRAINING_OVERDUE', 'r1']]);
    expect(who(await alerts({ filter: { stateBodyId: BODY.akimat } }))).toEqual([['RETRAINING_OVERDUE', 'r1']]);
    expect(who(await alerts({ filter: { rules: ['RETRAINING_OVERDUE'] } }))).toEqual([['RETRAINING_OVERDUE', 'r1']]);
    expect((await alerts({ filter: { rules: ['ASSESSMENT_REQUIRED'] } })).totalCount).toBe(0);
    expect(who(await alerts({ filter: { region: 'ASTANA', rules: ['TRAINING_OVERDUE', 'RETRAINING_OVERDUE'] } }))).toEqual([
      ['TRAINING_OVERDUE', 'r2'],
      ['TRAINING_OVERDUE', 'o1'],
    ]);
  });

  it('narrows hr to its body and the bodies under it', async () => {
    const ministry = await alerts({}, { role: 'hr', stateBody: BODY.ministry });
    // The department is under the ministry; the akimat is not.
    expect(who(ministry)).toEqual([['TRAINING_OVERDUE', 'o2'], ['TRAINING_OVERDUE', 'r2'], ['TRAINING_OVERDUE', 'o1']]);
    expect(who(await alerts({}, { role: 'hr', stateBody: BODY.akimat }))).toEqual([['RETRAINING_OVERDUE', 'r1']]);
    // A filter cannot widen hr's scope.
    expect((await alerts({ filter: { stateBodyId: BODY.akimat } }, { role: 'hr', stateBody: BODY.ministry })).totalCount).toBe(0);
  });

  it('refuses roles without compliance access', async () => {
    for (const role of ['analyst', 'academy']) {
      const res = await h.queryAs({ role } as never, ALERTS, {});
      expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(res.data?.trainingAlerts ?? null).toBeNull();
    }
  });

  it('pages with first and after', async () => {
    const one = await alerts({ first: 3 });
    expect(one.edges).toHaveLength(3);
    expect(one.pageInfo.hasNextPage).toBe(true);
    const two = await alerts({ first: 3, after: one.pageInfo.endCursor });
    expect(two.totalCount).toBe(4);
    expect(two.pageInfo.hasNextPage).toBe(false);
    expect(who(two)).toEqual([['RETRAINING_OVERDUE', 'r1']]);
    expect((await alerts({ first: 0 })).edges).toEqual([]);
  });

  it('refuses bad filters and paging (BAD_USER_INPUT) without reading anything', async () => {
    const bad = [
      { filter: { region: 'MARS' } },
      { filter: { stateBodyId: 'not-a-body' } },
      { filter: { rules: ['NO_SUCH_RULE'] } },
      { first: -1 },
      { after: 'bogus' },
    ];
    for (const variables of bad) {
      h.counter.reset();
      const res = await h.queryAs(MONITORING, ALERTS, variables);
      expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(h.counter.total()).toBe(0);
    }
  });

  it('answers a repeated list from memory, reading only the change numbers', async () => {
    await alerts();
    h.counter.reset();
    await alerts({ filter: { region: 'KARAGANDA' } });
    // The copy's newest number and its last entry read; the completions' counter. Nothing per servant.
    expect(h.counter.byCollection()).toEqual({ servant_directory: 2, counters: 1 });
  });

  it('sees a completion recorded through the API on the next list, reading only that servant again', async () => {
    const course = await h.app.models.TrainingProgram.findOne({ type: 'ADVANCED_TRAINING' }).lean().exec();
    const enrolled = await h.query<{ enrollInTraining: { id: string } }>(
      'mutation($s: ID!, $p: ID!) { enrollInTraining(servantId: $s, programId: $p, startDate: "2026-11-02") { id } }',
      { s: ids.o2, p: String(course!._id) },
    );
    expect(enrolled.errors).toBeUndefined();
    const completed = await h.query('mutation($r: ID!) { completeTraining(recordId: $r, endDate: "2026-11-20", hours: 16) { id } }', { r: enrolled.data!.enrollInTraining.id });
    expect(completed.errors).toBeUndefined();
    h.counter.reset();
    const page = await alerts();
    expect(who(page)).toEqual([['TRAINING_OVERDUE', 'r2'], ['TRAINING_OVERDUE', 'o1'], ['RETRAINING_OVERDUE', 'r1']]);
    // One read of the changed servants' ids and one of their records, whatever the size of the service.
    expect(h.counter.byCollection()).toMatchObject({ learningrecords: 2, trainingprograms: 1 });
  });
});
