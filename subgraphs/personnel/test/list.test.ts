import { createRng } from '@civil-service/shared';
import { seedPersonnel } from '../src';
import { startHarness, TODAY, type Harness } from './helpers';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  await seedPersonnel(h.db, { servants: 400, rng: createRng('list-test'), today: TODAY });
});
afterAll(() => h.stop());

interface Page {
  civilServants: {
    totalCount: number;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    edges: Array<{ cursor: string; node: { id: string; lastName: string; corps: string | null; status: string; currentAssignment: { position: { categoryCode: string; stateBody: { id: string; region: string } } } | null } }>;
  };
}
const LIST = /* GraphQL */ `
  query($filter: CivilServantFilter, $first: Int, $after: String) {
    civilServants(filter: $filter, first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor }
      edges { cursor node { id lastName corps status currentAssignment { position { categoryCode stateBody { id region } } } } }
    }
  }`;
const list = (variables: Record<string, unknown>) => h.query<Page>(LIST, variables);

it('pages through every servant with cursors: 20 by default, at most 100, totalCount over all pages', async () => {
  const firstPage = await list({});
  expect(firstPage.errors).toBeUndefined();
  expect(firstPage.data!.civilServants.edges).toHaveLength(20);
  expect(firstPage.data!.civilServants.totalCount).toBe(400);
  expect((await list({ first: 500 })).data!.civilServants.edges).toHaveLength(100);
  const seen: string[] = [];
  let after: string | null = null;
  for (;;) {
    const page: Page['civilServants'] = (await list({ first: 70, after })).data!.civilServants;
    seen.push(...page.edges.map((e) => e.node.id));
    expect(page.totalCount).toBe(400);
    if (!page.pageInfo.hasNextPage) break;
    after = page.pageInfo.endCursor;
  }
  expect(seen).toHaveLength(400);
  expect(new Set(seen).size).toBe(400);
  expect([...seen].sort()).toEqual(seen);
});

it('filters by region, body, corps, category, status and surname prefix', async () => {
  const karaganda = (await list({ filter: { region: 'KARAGANDA' }, first: 100 })).data!.civilServants;
  expect(karaganda.totalCount).toBeGreaterThan(0);
  expect(karaganda.edges.every((e) => e.node.currentAssignment?.position.stateBody.region === 'KARAGANDA')).toBe(true);

  const bodyId = karaganda.edges[0].node.currentAssignment!.position.stateBody.id;
  const body = (await list({ filter: { stateBodyId: bodyId }, first: 100 })).data!.civilServants;
  expect(body.totalCount).toBeGreaterThan(0);
  expect(body.edges.every((e) => e.node.currentAssignment?.position.stateBody.id === bodyId)).toBe(true);

  const code = karaganda.edges[0].node.currentAssignment!.position.categoryCode;
  const byCode = (await list({ filter: { categoryCode: code.toLowerCase(), region: 'KARAGANDA' }, first: 100 })).data!.civilServants;
  expect(byCode.edges.length).toBeGreaterThan(0);
  expect(byCode.edges.every((e) => e.node.currentAssignment?.position.categoryCode === code)).toBe(true);

  const dismissed = (await list({ filter: { status: 'DISMISSED' }, first: 100 })).data!.civilServants;
  expect(dismissed.totalCount).toBeGreaterThan(0);
  expect(dismissed.edges.every((e) => e.node.status === 'DISMISSED' && e.node.currentAssignment === null)).toBe(true);

  const corpsB = (await list({ filter: { corps: 'B' } })).data!.civilServants;
  const active = (await list({ filter: { status: 'ACTIVE' } })).data!.civilServants;
  expect(corpsB.totalCount).toBeLessThan(400);
  expect(corpsB.edges.every((e) => e.node.corps === 'B')).toBe(true);
  expect(active.totalCount).toBeLessThan(400);

  const name = karaganda.edges[0].node.lastName;
  const prefix = name.slice(0, 3).toUpperCase();
  const byName = (await list({ filter: { nameStartsWith: prefix }, first: 100 })).data!.civilServants;
  expect(byName.edges.map((e) => e.node.lastName)).toContain(name);
  expect(byName.edges.every((e) => e.node.lastName.toUpperCase().startsWith(prefix))).toBe(true);
});

it('refuses bad list arguments with the field named', async () => {
  for (const [variables, field] of [
    [{ after: 'not-a-cursor' }, 'after'],
    [{ first: -1 }, 'first'],
    [{ filter: { stateBodyId: 'x' } }, 'filter.stateBodyId'],
    [{ filter: { categoryCode: 'Z-9' } }, 'filter.categoryCode'],
  ] as const) {
    const res = await list(variables);
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
  }
});

it('answers stateBodies with headcounts that add up to the servants in service', async () => {
  const res = await h.query<{ stateBodies: Array<{ headcount: number; level: string; parent: { id: string } | null }> }>(`{ stateBodies { level headcount parent { id } } }`);
  const inService = (await list({ filter: { status: 'ACTIVE' } })).data!.civilServants.totalCount + (await list({ filter: { status: 'ON_LEAVE' } })).data!.civilServants.totalCount;
  expect(res.data!.stateBodies.reduce((n, b) => n + b.headcount, 0)).toBe(inService);
  expect(res.data!.stateBodies.filter((b) => b.level === 'LOCAL_RURAL').every((b) => b.parent !== null)).toBe(true);
  const rural = await h.query<{ stateBodies: Array<{ level: string }> }>(`{ stateBodies(region: ABAI, level: LOCAL_RURAL) { level } }`);
  expect(rural.data!.stateBodies.length).toBeGreaterThan(0);
});

const PROFILE_PAGE = /* GraphQL */ `
  query($first: Int) {
    civilServants(first: $first) {
      edges { node {
        id civilServiceTenure { totalDays }
        currentAssignment { position { title stateBody { name parent { name } headcount } } }
        assignments { position { categoryCode stateBody { name } } }
        education { degree } reserveMemberships { type } incentives { type } sanctions { type } corruptionRecords { article }
        rotations { fromBody { name } toBody { name headcount } }
      } }
    }
  }`;

it('costs the same database commands per collection for a page of 5 and a page of 50', async () => {
  const cost = async (first: number) => {
    h.counter.reset();
    const res = await h.query<{ civilServants: { edges: unknown[] } }>(PROFILE_PAGE, { first });
    expect(res.errors).toBeUndefined();
    expect(res.data!.civilServants.edges).toHaveLength(first);
    return h.counter.byCollection();
  };
  const five = await cost(5);
  const fifty = await cost(50);
  expect(fifty).toEqual(five);
  // Servants: the page, its count and the headcount aggregation. Bodies: the bodies, then their
  // parents (one level deeper in the key graph). One query for everything else.
  // The audit log: the chain's tail, then one insert of every servant's entry.
  const expected = (collection: string) => (collection === 'civil_servants' ? 3 : collection === 'state_bodies' || collection === 'audit_log' ? 2 : 1);
  for (const [collection, n] of Object.entries(fifty)) expect([collection, n]).toEqual([collection, expected(collection)]);
  expect(Object.keys(fifty).sort()).toEqual(
    ['assignments', 'audit_log', 'civil_servants', 'corruption_records', 'education', 'incentives', 'positions', 'reserve_memberships', 'rotations', 'sanctions', 'state_bodies'],
  );
});
