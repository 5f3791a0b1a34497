import { contractDocument, startStack, type Stack } from './helpers/stack';

/** A failing subgraph must not take the gateway down: the rest of the answer still arrives. */
let stack: Stack;
let id: string;
beforeAll(async () => {
  stack = await startStack({ servants: 120 });
  const list = await stack.query<{ civilServants: { edges: Array<{ node: { id: string } }> } }>(
    contractDocument('directory'),
    { first: 1, filter: { status: 'ACTIVE' } },
    'CivilServants',
  );
  id = list.data!.civilServants.edges[0].node.id;
});
afterAll(async () => {
  await stack?.stop();
});

describe('a subgraph stopped mid-test', () => {
  it('answers with the other subgraphs, names the missing one, and recovers when it is back', async () => {
    const before = await stack.query<{ civilServant: Record<string, unknown> }>(contractDocument('profile'), { id }, 'CivilServantById');
    expect(before.errors).toBeUndefined();
    expect(typeof before.data!.civilServant.trainingOverdue).toBe('boolean');

    await stack.stopSubgraph('training');
    const during = await stack.query<{ civilServant: Record<string, unknown> }>(contractDocument('profile'), { id }, 'CivilServantById');
    expect(during.data!.civilServant.lastName).toBe(before.data!.civilServant.lastName);
    expect(during.data!.civilServant.latestAnnualBand).toEqual(before.data!.civilServant.latestAnnualBand);
    expect(during.data!.civilServant.serviceQuality).toEqual(before.data!.civilServant.serviceQuality);
    expect(during.data!.civilServant.trainingOverdue).toBeNull();
    expect(during.errors?.length).toBeGreaterThan(0);
    const error = during.errors![0];
    expect(error.message).toContain('training');
    expect(error.extensions?.code).toBe('SUBGRAPH_UNAVAILABLE');
    expect(error.extensions?.subgraph).toBe('training');
    // One error for the one subgraph that is down, however many fetches the plan sent it.
    expect(during.errors).toHaveLength(1);
    expect(JSON.stringify(during.errors)).not.toMatch(/ECONNREFUSED|at .*\.ts:\d+/);

    await stack.startSubgraph('training');
    const after = await stack.query(contractDocument('profile'), { id }, 'CivilServantById');
    expect(after.errors).toBeUndefined();
    expect(after.data).toEqual(before.data);
  });

  it('answers list pages with the personnel data when evaluation is down', async () => {
    await stack.stopSubgraph('evaluation');
    try {
      const res = await stack.query<{ civilServants: { edges: Array<{ node: Record<string, unknown> }> } }>(
        contractDocument('directory'),
        { first: 10 },
        'CivilServants',
      );
      expect(res.data!.civilServants.edges).toHaveLength(10);
      for (const { node } of res.data!.civilServants.edges) {
        expect(typeof node.lastName).toBe('string');
        expect(node.latestAnnualBand).toBeNull();
      }
      expect(res.errors).toEqual([expect.objectContaining({ extensions: { code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'evaluation' } })]);
      expect(res.errors![0].message).toContain('evaluation');
    } finally {
      await stack.startSubgraph('evaluation');
    }
  });
});
