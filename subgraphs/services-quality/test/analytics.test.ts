import type { Connection } from 'mongoose';
import { startEmbeddedMongo } from '@civil-service/embedded-mongo';
import { attachCommandCounter, connectDatabase, encodeSegmentKey, testAuth, type SegmentQuery, type TestAuth, type TokenClaims } from '@civil-service/shared';
import { createServicesQualitySubgraph, measureWindow } from '../src';
import { B1, B2, B3, P, S, SMALL, fillWorld, today } from './analytics-fixture';

let mongo: Awaited<ReturnType<typeof startEmbeddedMongo>>;
let db: Connection;
let server: { url: string; close(): Promise<void> };
let app: ReturnType<typeof createServicesQualitySubgraph>;
let auth: TestAuth;

type Result = { data?: Record<string, unknown> | null; errors?: Array<{ message: string; path?: unknown[]; extensions?: Record<string, unknown> }> };

async function gql(query: string, variables: Record<string, unknown> = {}, claims: TokenClaims = { role: 'monitoring', purpose: 'test' }): Promise<Result> {
  const res = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await auth.headersAs(claims)) },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as Result;
}

beforeAll(async () => {
  mongo = await startEmbeddedMongo({ port: 0 });
  db = await connectDatabase({ uri: mongo.uri, dbName: 'sq_analytics_test' });
  auth = await testAuth({ role: 'feedback' });
  // hr's scope on servant fields: the body chains of the directory copy this test fills.
  const bodyChains = async (ids: readonly string[]) => {
    const found = await app.models.Directory.find({ _id: { $in: [...ids] } }, { bodyChain: 1 }).lean();
    const byId = new Map(found.map((d) => [d._id, d.bodyChain]));
    return ids.map((id) => byId.get(id) ?? null);
  };
  app = createServicesQualitySubgraph({ db, config: { now: () => today, minCell: 5 }, auth: { verifier: auth.verifier, bodyChains } });
  await Promise.all(Object.values(app.models).map((m) => m.init()));
  server = await app.listen(0, '127.0.0.1');
  await fillWorld(app);
});

afterAll(async () => {
  await server?.close();
  await db?.close();
  await mongo?.stop();
  await auth?.dispose();
});

const SEGMENTS = `query($r: [_Any!]!) { _entities(representations: $r) { ... on WorkforceSegment { key averageRating onTimeRate } } }`;
const byRegion = (asOf: Date, filter: SegmentQuery['filter'] = {}): SegmentQuery => ({ groupBy: ['REGION'], filter, asOf });
const keyOf = (query: SegmentQuery, region: string) => encodeSegmentKey(query, { REGION: region });
const reps = (keys: string[]) => ({ r: keys.map((key) => ({ __typename: 'WorkforceSegment', key })) });

async function measures(query: SegmentQuery, regions: string[], claims?: TokenClaims) {
  const keys = regions.map((r) => keyOf(query, r));
  const res = await gql(SEGMENTS, reps(keys), claims);
  expect(res.errors).toBeUndefined();
  const rows = res.data?._entities as Array<{ key: string; averageRating: number | null; onTimeRate: number | null }>;
  rows.forEach((row, i) => expect(row.key).toBe(keys[i]));
  return Object.fromEntries(rows.map((row, i) => [regions[i], { averageRating: row.averageRating, onTimeRate: row.onTimeRate }]));
}

describe('WorkforceSegment measures', () => {
  it('counts the 12 calendar months ending with asOf’s month as the request window', () => {
    const w = measureWindow(today);
    expect(w.after).toEqual(new Date('2025-11-24T00:00:00Z'));
    expect(w.months[0]).toEqual({ year: 2025, month: 12 });
    expect(w.months.at(-1)).toEqual({ year: 2026, month: 11 });
    expect(measureWindow(new Date('2026-03-31T00:00:00Z')).after).toEqual(new Date('2025-03-31T00:00:00Z'));
  });

  it("averages over the segment's bodies today, window edges included or not as stated", async () => {
    expect(await measures(byRegion(today), ['KARAGANDA', 'ASTANA', 'ALMATY', 'SHYMKENT'])).toEqual({
      // B1: 5, 3, 2, 4 (not the 1 on the window's open start); B2: 2, 4 → 20 / 6.
      // Requests: B1 10+7+3+20 (not 2025-11), B2 30 → on time 61 / 70.
      KARAGANDA: { averageRating: 3.33, onTimeRate: 0.871 },
      // B3: only 4 (2025-03-16 is long gone); no request month in the window.
      ASTANA: { averageRating: 4, onTimeRate: null },
      ALMATY: { averageRating: null, onTimeRate: 0.333 },
      SHYMKENT: { averageRating: null, onTimeRate: null },
    });
  });

  it('answers a past asOf with that day’s servants, bodies and window', async () => {
    expect(await measures(byRegion(new Date('2026-03-15T00:00:00Z')), ['KARAGANDA', 'ASTANA', 'ALMATY'])).toEqual({
      // B1: 1, 5, 3 (not 2026-03-16 nor later); B2: 2, 4 → 15 / 5. Requests 2025-04..2026-03: B1 100+10+7+3 → 17 / 120.
      KARAGANDA: { averageRating: 3, onTimeRate: 0.142 },
      // mv was still in ASTANA; B3: 1, 4 (2025-03-15 is the open start); 2025-04 counts, 2025-03 does not.
      ASTANA: { averageRating: 2.5, onTimeRate: 0.833 },
      ALMATY: { averageRating: null, onTimeRate: null },
    });
  });

  it('narrows the bodies to the filter', async () => {
    // Only B1's servants: B1's figures alone.
    expect(await measures(byRegion(today, { stateBodyId: B1.id }), ['KARAGANDA'])).toEqual({ KARAGANDA: { averageRating: 3.5, onTimeRate: 0.8 } });
    const byBody = { groupBy: ['STATE_BODY'], filter: { region: 'KARAGANDA' }, asOf: today } as SegmentQuery;
    const res = await gql(SEGMENTS, reps([B1.id, B2.id].map((id) => encodeSegmentKey(byBody, { STATE_BODY: id }))));
    expect(res.data?._entities).toMatchObject([
      { averageRating: 3.5, onTimeRate: 0.8 },
      { averageRating: 3, onTimeRate: 0.967 },
    ]);
  });

  it('suppresses small segments, and one more to protect them, for an analyst; monitoring sees all', async () => {
    const regions = ['KARAGANDA', 'ASTANA', 'ALMATY', 'SHYMKENT'];
    const analyst = await measures(byRegion(today), regions, { role: 'analyst' });
    // ASTANA has 3 servants; ALMATY (6, the smallest beside it) goes too, or ASTANA = total − rest.
    expect(analyst.ASTANA).toEqual({ averageRating: null, onTimeRate: null });
    expect(analyst.ALMATY).toEqual({ averageRating: null, onTimeRate: null });
    expect(analyst.KARAGANDA).toEqual({ averageRating: 3.33, onTimeRate: 0.871 });
    const monitoring = await measures(byRegion(today), regions);
    expect(monitoring.ASTANA).toEqual({ averageRating: 4, onTimeRate: null });
    expect(monitoring.ALMATY).toEqual({ averageRating: null, onTimeRate: 0.333 });
  });

  it('resolves a segment nobody is in to no figures', async () => {
    expect(await measures(byRegion(today), ['ULYTAU'])).toEqual({ ULYTAU: { averageRating: null, onTimeRate: null } });
  });

  it.each([
    ['garbage', 'not-a-key'],
    ['a forged filter', 'w2;2026-01-01;r;r=MARS;MARS'],
    ['a future asOf', keyOf(byRegion(new Date('2027-01-01T00:00:00Z')), 'KARAGANDA')],
  ])('refuses %s as a key with BAD_USER_INPUT, the other keys still resolving', async (_name, bad) => {
    const res = await gql(SEGMENTS, reps([bad, keyOf(byRegion(today), 'KARAGANDA')]));
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect((res.data?._entities as unknown[])[1]).toMatchObject({ averageRating: 3.33 });
  });

  it('costs the same database commands for 3 segments as for 20', async () => {
    const query = { groupBy: ['STATE_BODY'], filter: {}, asOf: today } as SegmentQuery;
    const keys = (n: number) => SMALL.slice(0, n).map((b) => encodeSegmentKey(query, { STATE_BODY: b.id }));
    await app.placements.catchUp();
    // Today's window is read once per day and change: the counts are of questions after the first.
    expect((await gql(SEGMENTS, reps(keys(1)))).errors).toBeUndefined();
    const counter = attachCommandCounter(db);
    try {
      expect((await gql(SEGMENTS, reps(keys(3)))).errors).toBeUndefined();
      const three = counter.byCollection();
      counter.reset();
      expect((await gql(SEGMENTS, reps(keys(20)))).errors).toBeUndefined();
      expect(counter.byCollection()).toEqual(three);
      // Today's segments from the placements in memory (the copy's newest number and its last entry
      // read) and today's window per body (the feedback and totals counters), nothing per segment.
      expect(three).toEqual({ servant_directory: 2, counters: 2 });
    } finally {
      counter.detach();
    }
  });
});

const ALERTS = `query($filter: AlertFilter, $first: Int, $after: String) { serviceQualityAlerts(filter: $filter, first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } edges { cursor node { rule since detail servant { id } } } } }`;

type Page = { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: Array<{ node: { rule: string; since: string; detail: string; servant: { id: string } } }> };

async function alerts(variables: Record<string, unknown> = {}, claims?: TokenClaims): Promise<Page> {
  const res = await gql(ALERTS, variables, claims);
  expect(res.errors).toBeUndefined();
  return res.data?.serviceQualityAlerts as Page;
}
const servants = (page: Page) => page.edges.map((e) => e.node.servant.id);

describe('serviceQualityAlerts', () => {
  it('flags servants in service with 3 violations in the 12 months to today, oldest breach first', async () => {
    const page = await alerts();
    expect(page.totalCount).toBe(3);
    // k2's third violation is on the window's open start; gone is out of service; unnamed violations are the body's.
    expect(servants(page)).toEqual([S.a1, S.k1, S.k5]);
    expect(page.edges[1].node).toEqual({
      rule: 'REPEATED_SERVICE_VIOLATIONS',
      since: '2026-06-01',
      detail: '4 violations of public-service standards in the 12 months to 2026-11-24 (threshold 3): 2 DEADLINE_BREACH, 1 EXCESS_DOCUMENTS, 1 FEE_VIOLATION',
      servant: { id: S.k1 },
    });
    expect(page.edges.map((e) => e.node.since)).toEqual(['2026-02-03', '2026-06-01', '2026-09-01']);
  });

  it('filters by region, body and rule', async () => {
    expect(servants(await alerts({ filter: { region: 'KARAGANDA' } }))).toEqual([S.k1, S.k5]);
    expect(servants(await alerts({ filter: { stateBodyId: B2.id } }))).toEqual([S.k5]);
    expect(servants(await alerts({ filter: { region: 'ASTANA', stateBodyId: B1.id } }))).toEqual([]);
    expect((await alerts({ filter: { rules: ['TRAINING_OVERDUE'] } })).totalCount).toBe(0);
    expect((await alerts({ filter: { rules: ['REPEATED_SERVICE_VIOLATIONS', 'TRAINING_OVERDUE'] } })).totalCount).toBe(3);
  });

  it("narrows hr to its body and the bodies under it; other roles are refused", async () => {
    expect(servants(await alerts({}, { role: 'hr', stateBody: P.id }))).toEqual([S.k1, S.k5]);
    expect(servants(await alerts({}, { role: 'hr', stateBody: B2.id }))).toEqual([S.k5]);
    expect(servants(await alerts({}, { role: 'hr', stateBody: B3.id }))).toEqual([S.a1]);
    const res = await gql(ALERTS, {}, { role: 'analyst' });
    expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('pages with first and after', async () => {
    const first = await alerts({ first: 2 });
    expect(servants(first)).toEqual([S.a1, S.k1]);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = await alerts({ first: 2, after: first.pageInfo.endCursor });
    expect(servants(second)).toEqual([S.k5]);
    expect(second).toMatchObject({ totalCount: 3, pageInfo: { hasNextPage: false } });
  });

  it.each([
    ['a malformed body id', { filter: { stateBodyId: 'akimat' } }],
    ['an unknown region', { filter: { region: 'MARS' } }],
    ['an unknown rule', { filter: { rules: ['NOT_A_RULE'] } }],
    ['a negative first', { first: -1 }],
    ['a forged cursor', { after: 'bm90LWEtY3Vyc29y' }],
  ])('refuses %s with BAD_USER_INPUT', async (_name, variables) => {
    const res = await gql(ALERTS, variables);
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('reads the violations once and the directory once, whatever the number of alerts', async () => {
    const counter = attachCommandCounter(db);
    try {
      await alerts();
      expect(counter.byCollection()).toEqual({ violations: 1, servant_directory: 1 });
    } finally {
      counter.detach();
    }
  });

  it('takes the threshold and window from the effective-dated rule', async () => {
    const strict = createServicesQualitySubgraph({
      db,
      auth: { verifier: auth.verifier },
      config: {
        now: () => today,
        violationRules: [
          { validFrom: '2013-01-01', validTo: '2026-01-01', value: { threshold: 3, windowMonths: 12 } },
          { validFrom: '2026-01-01', validTo: null, value: { threshold: 2, windowMonths: 12 } },
        ],
      },
    });
    const listening = await strict.listen(0, '127.0.0.1');
    try {
      const res = await fetch(listening.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(await auth.headersAs({ role: 'monitoring', purpose: 'test' })) },
        body: JSON.stringify({ query: ALERTS, variables: { filter: { stateBodyId: B1.id } } }),
      });
      const page = ((await res.json()) as { data: { serviceQualityAlerts: Page } }).data.serviceQualityAlerts;
      // k2's two violations in the window now suffice; since is the second.
      expect(page.edges.map((e) => [e.node.servant.id, e.node.since])).toEqual([
        [S.k2, '2026-03-01'],
        [S.k1, '2026-04-15'],
      ]);
    } finally {
      await listening.close();
    }
  });
});

describe('submitServiceFeedback about a servant', () => {
  const mutation = `mutation($input: ServiceFeedbackInput!) { submitServiceFeedback(input: $input) { rating } }`;
  const input = { serviceCode: '00103001', stateBodyId: B3.id, rating: 5, onTime: true };
  const submit = async (servantId: string) => {
    const res = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth.headersFor(mutation) },
      body: JSON.stringify({ query: mutation, variables: { input: { ...input, servantId } } }),
    });
    return (await res.json()) as Result;
  };

  it('refuses a servant the directory does not know with NOT_FOUND and writes nothing', async () => {
    const before = await app.models.Feedback.countDocuments();
    const res = await submit('0123456789abcdef01234567');
    expect(res.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
    expect(res.errors?.[0]?.message).toContain('0123456789abcdef01234567');
    expect(await app.models.Feedback.countDocuments()).toBe(before);
  });

  it("counts feedback submitted through the API in today's segment of its body at once", async () => {
    const astana = async () => (await measures(byRegion(today), ['ASTANA'])).ASTANA.averageRating;
    expect(await astana()).toBe(4);
    expect((await submit(S.a2)).errors).toBeUndefined();
    // B3's feedback in the window: the 4 there was, and this 5.
    expect(await astana()).toBe(4.5);
    await app.models.Feedback.deleteOne({ servantId: S.a2 });
  });

  it('records feedback naming a servant the directory knows', async () => {
    const before = await app.models.Feedback.countDocuments();
    const res = await submit(S.a2.toUpperCase());
    expect(res.errors).toBeUndefined();
    expect(await app.models.Feedback.countDocuments()).toBe(before + 1);
    await app.models.Feedback.deleteOne({ servantId: S.a2 });
  });
});
