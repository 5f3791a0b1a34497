import { attachCommandCounter, connectDatabase, testAuth, type DirectoryModels } from '@civil-service/shared';
import { createPersonnelSubgraph } from '../src';
import { warmPersonnelAlerts } from '../src/analytics/alerts';
import { alertFixture } from './alerts-fixture';
import { startHarness, TODAY, type Harness } from './helpers';

let h: Harness;
let f: Awaited<ReturnType<typeof alertFixture>>;

const ALERTS = `query($filter: AlertFilter, $first: Int, $after: String) {
  personnelAlerts(filter: $filter, first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor }
    edges { cursor node { rule since detail servant { id } } }
  }
}`;

interface Page {
  personnelAlerts: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: Array<{ cursor: string; node: { rule: string; since: string; detail: string; servant: { id: string } } }>;
  };
}

const list = async (variables: Record<string, unknown> = {}, as?: Parameters<Harness['query']>[2]) => {
  const res = await h.query<Page>(ALERTS, { first: 100, ...variables }, as);
  expect(res.errors).toBeUndefined();
  return res.data!.personnelAlerts;
};
const idOf = (key: string) => f.servants[key].toHexString();
const alertsOf = (page: Page['personnelAlerts'], key: string) => page.edges.filter((e) => e.node.servant.id === idOf(key)).map((e) => e.node);

beforeAll(async () => {
  h = await startHarness();
  f = await alertFixture(h.models, h.models as unknown as DirectoryModels, h.db, TODAY);
});
afterAll(() => h.stop());

describe('personnelAlerts rules', () => {
  it('flags a rotation-subject holding over the limit, with the band and the day after the 4th anniversary', async () => {
    const page = await list({ filter: { rules: ['ROTATION_TENURE_EXCEEDED'] } });
    expect(alertsOf(page, 'rotationLong')).toEqual([
      { rule: 'ROTATION_TENURE_EXCEEDED', since: '2020-01-11', detail: 'on a rotation-subject position since 2016-01-10 (10 years 10 months): over the 8-year limit', servant: { id: idOf('rotationLong') } },
    ]);
    expect(alertsOf(page, 'rotationShort')).toEqual([]);
    // Bridged re-appointment to the same post: one holding since 2021-06-01, 5 years 5 months.
    expect(alertsOf(page, 'rotationBridged').map((a) => [a.since, a.detail])).toEqual([['2025-06-02', 'on a rotation-subject position since 2021-06-01 (5 years 5 months): over the 4-year limit']]);
  });

  it('flags a category that does not fit its body level', async () => {
    const page = await list({ filter: { rules: ['CATEGORY_LEVEL_MISMATCH'] } });
    expect(page.edges.map((e) => e.node.servant.id)).toEqual([idOf('categoryBad')]);
    expect(page.edges[0].node.since).toBe('2022-02-01');
    expect(page.edges[0].node.detail).toMatch(/category C-3 does not match a LOCAL_DISTRICT body/);
  });

  it('flags overlaps beyond a one-working-day handover, for servants in service only', async () => {
    const page = await list({ filter: { rules: ['OVERLAPPING_ASSIGNMENTS'] } });
    expect(page.edges.map((e) => e.node.servant.id)).toEqual([idOf('overlapBad')]);
    expect(page.edges[0].node).toMatchObject({ since: '2021-03-01', detail: 'assignments 2018-01-01–2021-03-31 and 2021-03-01–open overlap by 31 days' });
  });

  it('flags an appointment inside a re-entry bar', async () => {
    const page = await list({ filter: { rules: ['REENTRY_BAR_BREACH'] } });
    expect(page.edges.map((e) => e.node)).toEqual([
      {
        rule: 'REENTRY_BAR_BREACH', since: '2022-12-01', servant: { id: idOf('reentryBad') },
        detail: 'appointed on 2022-12-01, inside the 1-year re-entry bar after DISMISSAL_ETHICS on 2022-05-31 (barred until 2023-05-31)',
      },
    ]);
  });

  it('flags a corps A appointment without a reserve only while the rule applied', async () => {
    const page = await list({ filter: { rules: ['CORPS_A_WITHOUT_RESERVE'] } });
    expect(page.edges.map((e) => [e.node.servant.id, e.node.since])).toEqual([[idOf('corpsABad'), '2015-06-01']]);
  });
});

describe('personnelAlerts scope and filters', () => {
  it('lists every rule in rule order for monitoring', async () => {
    const page = await list();
    expect(page.totalCount).toBe(6);
    expect(page.edges.map((e) => [e.node.rule, e.node.servant.id])).toEqual([
      ['ROTATION_TENURE_EXCEEDED', idOf('rotationLong')],
      ['ROTATION_TENURE_EXCEEDED', idOf('rotationBridged')],
      ['REENTRY_BAR_BREACH', idOf('reentryBad')],
      ['CATEGORY_LEVEL_MISMATCH', idOf('categoryBad')],
      ['OVERLAPPING_ASSIGNMENTS', idOf('overlapBad')],
      ['CORPS_A_WITHOUT_RESERVE', idOf('corpsABad')],
    ]);
    const two = await list({ filter: { rules: ['CATEGORY_LEVEL_MISMATCH', 'REENTRY_BAR_BREACH', 'TRAINING_OVERDUE'] } });
    expect(two.edges.map((e) => e.node.rule)).toEqual(['REENTRY_BAR_BREACH', 'CATEGORY_LEVEL_MISMATCH']);
    expect((await list({ filter: { rules: ['TRAINING_OVERDUE'] } })).totalCount).toBe(0);
  });

  it('filters by region and by state body', async () => {
    const almaty = await list({ filter: { region: 'ALMATY' } });
    expect(new Set(almaty.edges.map((e) => e.node.servant.id))).toEqual(new Set([idOf('rotationBridged'), idOf('reentryBad')]));
    const district = await list({ filter: { stateBodyId: f.district._id.toHexString() } });
    expect(district.edges.map((e) => e.node.servant.id)).toEqual([idOf('categoryBad')]);
  });

  it('narrows hr to its body and the bodies under it', async () => {
    const hr = { role: 'hr' as const, stateBody: f.ministry._id.toHexString(), purpose: 'alert test' };
    const all = await list({}, hr);
    // The district akimat is not under the ministry.
    expect(all.edges.map((e) => e.node.servant.id)).not.toContain(idOf('categoryBad'));
    expect(all.totalCount).toBe(5);
    const unitHr = await list({}, { ...hr, stateBody: f.unit._id.toHexString() });
    expect(new Set(unitHr.edges.map((e) => e.node.servant.id))).toEqual(new Set([idOf('rotationLong'), idOf('overlapBad')]));
  });

  it('refuses analysts and the academy', async () => {
    for (const role of ['analyst', 'academy'] as const) {
      const res = await h.query(ALERTS, {}, { role, purpose: 'alert test' });
      expect(res.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    }
  });

  it('pages with first/after', async () => {
    const first = await list({ first: 3 });
    expect(first.totalCount).toBe(6);
    expect(first.edges).toHaveLength(3);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const rest = await list({ first: 10, after: first.pageInfo.endCursor });
    expect(rest.edges).toHaveLength(3);
    expect(rest.pageInfo.hasNextPage).toBe(false);
    const whole = await list();
    expect([...first.edges, ...rest.edges].map((e) => e.node)).toEqual(whole.edges.map((e) => e.node));
  });

  it('refuses bad input', async () => {
    for (const variables of [{ after: 'nope' }, { first: -1 }, { filter: { stateBodyId: 'xyz' } }]) {
      const res = await h.query(ALERTS, variables);
      expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    }
  });

  it('sees a change made after the first read', async () => {
    await list();
    await h.models.ReserveMembership.insertMany([{ servantId: f.servants.corpsABad, type: 'CORPS_A', enrolledOn: new Date('2015-01-01'), expiresOn: null, status: 'APPOINTED' }]);
    const { recordDirectoryChange } = await import('../src/directory/writer');
    await recordDirectoryChange(h.db, h.models, h.models as unknown as DirectoryModels, [f.servants.corpsABad], TODAY);
    const page = await list({ filter: { rules: ['CORPS_A_WITHOUT_RESERVE'] } });
    expect(page.totalCount).toBe(0);
  });
});

describe('personnel before serving', () => {
  it('reads the alert facts in prepare, so the first list after a start reads no directory entries', async () => {
    // A connection of its own: its own models, hence alert facts of its own, empty at first.
    const db = await connectDatabase({ uri: h.mongo.uri, dbName: h.db.name });
    const auth = await testAuth({ role: 'monitoring', purpose: 'subgraph test' });
    try {
      const counter = attachCommandCounter(db);
      const app = createPersonnelSubgraph({ db, config: { now: () => TODAY }, auth: { verifier: auth.verifier } });
      await Promise.all(Object.values(app.models).map((m) => m.init()));
      counter.reset();
      await app.prepare();
      // The workforce facts are read in the background: wait for them too before counting.
      await app.workforceFacts.catchUp();
      // Every entry was read while preparing.
      expect(counter.byCollection().servant_directory).toBeGreaterThanOrEqual(2);
      counter.reset();
      await warmPersonnelAlerts(app.directory, app.models, app.rules, TODAY);
      // Nothing changed since: the newest number and the entry at it, nothing else.
      expect(counter.byCollection()).toEqual({ servant_directory: 2 });
      counter.detach();
    } finally {
      await auth.dispose();
      await db.close();
    }
  });
});
