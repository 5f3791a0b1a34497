import { createRng, type TokenClaims } from '@civil-service/shared';
import { Types } from 'mongoose';
import { IN_SERVICE } from '../src/models';
import { seedPersonnel } from '../src';
import { startHarness, TODAY, type GraphQLResponse, type Harness } from './helpers';

/**
 * hr's `civilServants`: only servants now in hr's body or a body below it, with a totalCount that
 * agrees, instead of every servant with FORBIDDEN fields for those outside its scope.
 */
let h: Harness;
/** Each body's ancestors (itself first), from the register, independently of the resolver. */
const chainOf = new Map<string, string[]>();
/** Servant id → current body, for servants in service. */
const bodyOfServant = new Map<string, string>();
let parent: string; // a body with servants of its own and in a body below it
let child: string;
let outside: string; // a body with servants, outside parent's tree
beforeAll(async () => {
  h = await startHarness();
  await seedPersonnel(h.db, { servants: 300, rng: createRng('hr-list-test'), today: TODAY });
  const bodies = await h.models.StateBody.find({}, { parentId: 1 }).lean();
  const parentOf = new Map(bodies.map((b) => [b._id.toHexString(), b.parentId?.toHexString() ?? null]));
  for (const id of parentOf.keys()) {
    const chain: string[] = [];
    for (let at: string | null | undefined = id; at; at = parentOf.get(at)) chain.push(at);
    chainOf.set(id, chain);
  }
  const servants = await h.models.CivilServant.find({ status: { $in: IN_SERVICE } }, { currentStateBodyId: 1 }).lean();
  for (const s of servants) bodyOfServant.set(s._id.toHexString(), s.currentStateBodyId!.toHexString());
  const staffed = new Set(bodyOfServant.values());
  child = [...staffed].find((b) => chainOf.get(b)!.length > 1 && staffed.has(chainOf.get(b)![1]))!;
  parent = chainOf.get(child)![1];
  outside = [...staffed].find((b) => !chainOf.get(b)!.includes(parent))!;
  expect([parent, child, outside].every(Boolean)).toBe(true);
});
afterAll(() => h.stop());

interface Page {
  civilServants: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: Array<{ node: { id: string; iin: string | null } }> };
}
const LIST = /* GraphQL */ `
  query($filter: CivilServantFilter, $first: Int, $after: String) {
    civilServants(filter: $filter, first: $first, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } edges { node { id iin } }
    }
  }`;
const hr = (stateBody: string): TokenClaims => ({ role: 'hr', stateBody, purpose: 'staffing review' });
const inTree = (root: string) => [...bodyOfServant].filter(([, body]) => chainOf.get(body)!.includes(root)).map(([id]) => id).sort();

/** Every page, following cursors; each page must arrive without errors. */
async function all(as: TokenClaims, filter: Record<string, unknown> = {}): Promise<{ ids: string[]; totalCounts: number[] }> {
  const ids: string[] = [];
  const totalCounts: number[] = [];
  for (let after: string | null = null; ; ) {
    const res: GraphQLResponse<Page> = await h.query<Page>(LIST, { filter, first: 7, after }, as);
    expect(res.errors).toBeUndefined();
    const page: Page['civilServants'] = res.data!.civilServants;
    totalCounts.push(page.totalCount);
    ids.push(...page.edges.map((e) => e.node.id));
    // Every node is fully readable: in scope, so iin arrives rather than FORBIDDEN.
    expect(page.edges.every((e) => typeof e.node.iin === 'string')).toBe(true);
    if (!page.pageInfo.hasNextPage) return { ids, totalCounts };
    after = page.pageInfo.endCursor;
  }
}

describe('civilServants for an hr caller', () => {
  it('lists exactly the servants now in its body and the bodies below, on every page, totalCount agreeing', async () => {
    const expected = inTree(parent);
    expect(expected.length).toBeGreaterThan(inTree(child).length); // the tree reaches below the body itself
    const { ids, totalCounts } = await all(hr(parent));
    expect(ids).toEqual(expected);
    expect(new Set(totalCounts)).toEqual(new Set([expected.length]));
  });

  it('a body lower down sees its own tree only, not its parent’s servants', async () => {
    const { ids, totalCounts } = await all(hr(child));
    expect(ids).toEqual(inTree(child));
    expect(totalCounts[0]).toBe(inTree(child).length);
  });

  it('combines with the caller’s filters: a body inside its tree narrows it, one outside gives an empty page', async () => {
    expect((await all(hr(parent), { stateBodyId: child })).ids).toEqual(inTree(child).filter((id) => bodyOfServant.get(id) === child));
    for (const stateBodyId of [outside, new Types.ObjectId().toHexString()]) {
      const res = await h.query<Page>(LIST, { filter: { stateBodyId } }, hr(parent));
      expect(res).toEqual({ data: { civilServants: { totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null }, edges: [] } } });
    }
    // Dismissed servants belong to no body now, so to no hr.
    expect((await all(hr(parent), { status: 'DISMISSED' })).ids).toEqual([]);
  });

  it('a stateBody claim naming no body of the register gives an empty list', async () => {
    expect(await all(hr(new Types.ObjectId().toHexString()))).toEqual({ ids: [], totalCounts: [0] });
  });

  it('other roles are not narrowed: monitoring still lists every servant', async () => {
    const res = await h.query<Page>(LIST, { first: 1 });
    expect(res.data!.civilServants.totalCount).toBe(await h.models.CivilServant.countDocuments());
  });

  it('reads state_bodies once per request for the scope, whatever the page size or the number of lists', async () => {
    const cost = async (query: string, first: number) => {
      h.counter.reset();
      const res = await h.query(query, { first }, hr(parent));
      expect(res.errors).toBeUndefined();
      return h.counter.byCollection();
    };
    // Counts alone: no servant field is checked, so the only body read is the scope's.
    const counts = /* GraphQL */ `query($first: Int) { a: civilServants(first: $first) { totalCount } b: civilServants(first: $first, filter: { status: ACTIVE }) { totalCount } }`;
    expect(await cost(`query($first: Int) { civilServants(first: $first) { totalCount } }`, 5)).toEqual({ civil_servants: 2, state_bodies: 1 });
    expect(await cost(counts, 5)).toEqual({ civil_servants: 4, state_bodies: 1 });
    // With nodes, the field checks add the page's body chains (one read per level), not one per servant.
    expect(await cost(LIST, 50)).toEqual(await cost(LIST, 20));
  });
});
