import { contractDocument, startStack, SUBGRAPHS, type Stack } from './helpers/stack';

/**
 * No N+1: the contract's list query costs the same number of database commands per subgraph
 * whether the page holds 5 servants or 50.
 */
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ servants: 300 });
});
afterAll(async () => {
  await stack?.stop();
});

async function commandsForPage(first: number, operation: string, variables: Record<string, unknown>) {
  for (const name of SUBGRAPHS) stack.counters[name].reset();
  const res = await stack.query<{ civilServants?: { edges: unknown[] } }>(contractDocument('directory'), { ...variables, first }, operation);
  expect(res.errors).toBeUndefined();
  return {
    rows: res.data?.civilServants?.edges.length ?? 0,
    perSubgraph: Object.fromEntries(SUBGRAPHS.map((n) => [n, stack.counters[n].byCollection()])),
  };
}

describe('batching through the gateway', () => {
  it('a page of 50 costs the same database commands as a page of 5, per collection', async () => {
    const small = await commandsForPage(5, 'CivilServants', {});
    const large = await commandsForPage(50, 'CivilServants', {});
    expect(small.rows).toBe(5);
    expect(large.rows).toBe(50);
    expect(large.perSubgraph).toEqual(small.perSubgraph);
    // Every subgraph took part in the answer.
    for (const name of SUBGRAPHS) expect(Object.keys(small.perSubgraph[name]).length).toBeGreaterThan(0);
  });

  it('a page of 100 (the cap) costs the same as a page of 10', async () => {
    const small = await commandsForPage(10, 'CivilServants', { filter: { status: 'ACTIVE' } });
    const large = await commandsForPage(100, 'CivilServants', { filter: { status: 'ACTIVE' } });
    expect(large.rows).toBe(100);
    expect(large.perSubgraph).toEqual(small.perSubgraph);
  });

  it('a whole profile costs at most one command per collection, however long the history', async () => {
    const personnel = stack.dbs.personnel.db!;
    const assignments = await personnel.collection('assignments').find({}, { projection: { servantId: 1 } }).toArray();
    const perServant = new Map<string, number>();
    for (const a of assignments) perServant.set(String(a.servantId), (perServant.get(String(a.servantId)) ?? 0) + 1);
    const ranked = [...perServant.entries()].sort((a, b) => b[1] - a[1]);
    // The longest assignment history and the shortest.
    for (const [id, count] of [ranked[0], ranked.at(-1)!]) {
      const servant = await personnel.collection('civil_servants').findOne({ _id: assignments.find((a) => String(a.servantId) === id)!.servantId });
      for (const name of SUBGRAPHS) stack.counters[name].reset();
      const res = await stack.query<{ civilServant: { assignments: unknown[] } }>(contractDocument('profile'), { iin: servant!.iin }, 'CivilServantProfile');
      expect(res.errors).toBeUndefined();
      expect(res.data!.civilServant.assignments).toHaveLength(count);
      for (const name of SUBGRAPHS) {
        for (const [collection, commands] of Object.entries(stack.counters[name].byCollection())) {
          // The audit log: the chain's tail, then one insert of the request's entries.
          const allowed = collection === 'audit_log' ? 2 : 1;
          expect({ subgraph: name, collection, commands }).toEqual({ subgraph: name, collection, commands: allowed });
        }
      }
    }
  });
});
