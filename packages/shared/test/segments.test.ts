import { encodeSegmentKey, lazySegmentLoader, resolveWorkforce, type Caller, type ComputedCell, type SegmentQuery } from '../src';
import { AuditCollector, attachRequestAuth } from '../src/auth/request-state';

const TODAY = new Date('2026-11-25T00:00:00Z');
const question: SegmentQuery = { groupBy: ['REGION', 'CORPS'], filter: { stateBodyLevel: 'CENTRAL' }, asOf: TODAY, current: true };

/** Three cells as a subgraph computes them, in no particular order; counts how often it is asked. */
function computer() {
  const asked: SegmentQuery[] = [];
  const cells: Array<ComputedCell<{ n: number }>> = [
    { values: { REGION: 'ULYTAU', CORPS: 'B' }, headcount: 40, measures: { n: 1 } },
    { values: { REGION: 'ABAI', CORPS: null }, headcount: 3, measures: { n: 2 } },
    { values: { REGION: 'ABAI', CORPS: 'A' }, headcount: 12, measures: { n: 3 } },
  ];
  return { asked, compute: async (q: SegmentQuery) => (asked.push(q), cells) };
}

function contextOf(role: Caller['role']): object {
  const context = {};
  attachRequestAuth(context, { caller: { role, sub: 't' }, requestId: 'r', operationName: null, at: TODAY, audit: new AuditCollector() });
  return context;
}

const options = { threshold: 5, today: () => TODAY };

describe('workforce segments across subgraphs', () => {
  it('personnel answers every cell in cell order under keys the other subgraphs resolve', async () => {
    const { compute } = computer();
    const segments = await resolveWorkforce(question, compute, contextOf('monitoring'), options);
    expect(segments.map((s) => [s.values.REGION, s.values.CORPS ?? null, s.headcount])).toEqual([
      ['ABAI', 'A', 12],
      ['ABAI', null, 3],
      ['ULYTAU', 'B', 40],
    ]);
    const other = computer();
    const loader = lazySegmentLoader(other.compute, options)(contextOf('monitoring'));
    const resolved = await loader.loadMany(segments.map((s) => s.key));
    expect(resolved).toEqual(segments);
    // One computation for the whole batch.
    expect(other.asked).toHaveLength(1);
  });

  it('finds the cell of a key written another way, and has nothing for a cell it does not have', async () => {
    const { compute } = computer();
    const loader = lazySegmentLoader(compute, options)(contextOf('monitoring'));
    const canonical = encodeSegmentKey(question, { REGION: 'ULYTAU', CORPS: 'B' });
    const escaped = canonical.replace(/;ULYTAU,B$/, ';%55LYTAU,%42');
    const [a, b, missing] = await loader.loadMany([canonical, escaped, encodeSegmentKey(question, { REGION: 'ASTANA', CORPS: 'A' })]);
    expect(a).toMatchObject({ key: canonical, headcount: 40, measures: { n: 1 } });
    expect(b).toMatchObject({ key: escaped, headcount: 40, measures: { n: 1 } });
    expect(missing).toMatchObject({ values: { REGION: 'ASTANA', CORPS: 'A' }, headcount: null, measures: null, suppressed: false });
  });

  it('hides small cells from an analyst on the entity side too, from its own headcounts', async () => {
    const { compute } = computer();
    const loader = lazySegmentLoader(compute, options)(contextOf('analyst'));
    const small = await loader.load(encodeSegmentKey(question, { REGION: 'ABAI', CORPS: null }));
    expect(small).toMatchObject({ suppressed: true, headcount: null, measures: null });
    const unknown = await loader.load(encodeSegmentKey(question, { REGION: 'ASTANA', CORPS: 'A' }));
    expect(unknown).toMatchObject({ suppressed: true, measures: null });
  });

  it('refuses a key it did not make, with BAD_USER_INPUT, and answers the rest of the batch', async () => {
    const { compute } = computer();
    const loader = lazySegmentLoader(compute, options)(contextOf('monitoring'));
    const good = encodeSegmentKey(question, { REGION: 'ABAI', CORPS: 'A' });
    const [bad, tooMany, ok] = await loader.loadMany(['w2;nonsense', `${good},X`, good]);
    expect(bad).toBeInstanceOf(Error);
    expect((bad as Error & { extensions?: { code?: string } }).extensions?.code).toBe('BAD_USER_INPUT');
    expect((tooMany as Error & { extensions?: { code?: string } }).extensions?.code).toBe('BAD_USER_INPUT');
    expect(ok).toMatchObject({ headcount: 12 });
  });
});
