import { answersPending, createRng, createSubgraphApp, jsonBytes, type Listening, type Rng } from '../src';

/** What Apollo Server's own stringifyResult sends, as bytes. */
const reference = (value: unknown, suffix = '') => Buffer.from(`${JSON.stringify(value)}${suffix}`, 'utf8');

class Point {
  constructor(
    public x: number,
    public y: number,
  ) {}
}

describe('jsonBytes', () => {
  const cases: Array<[string, unknown]> = [
    ['a workforce answer of 3,000 segments in Kazakh and Russian', { data: { workforce: Array.from({ length: 3000 }, (_, i) => ({ key: `w2;b;${i}`, stateBody: { id: String(i), name: `Әкімдігі Қарағанды облысы ${i}` }, region: null, headcount: i, womenShare: i / 7 })) } }],
    ['lists shorter and longer than the element-by-element threshold, nested', { a: [[1, 2, [3]], Array.from({ length: 40 }, (_, i) => [i, { n: [i] }])], b: Array.from({ length: 33 }, () => Array.from({ length: 50 }, (_, j) => j)) }],
    ['what JSON leaves out of objects and writes as null in lists', { u: undefined, f: () => 1, s: Symbol('x'), kept: 1, list: [undefined, () => 1, Symbol('y'), 2], long: Array.from({ length: 40 }, (_, i) => (i % 2 ? undefined : i)) }],
    ['holes in long and short lists', { short: [1, , 3], long: Object.assign(new Array(50), { 3: 'x' }) }],
    ['numbers JSON cannot write, and negative zero', { n: [NaN, Infinity, -Infinity, -0, 1e21, 5e-324], m: { nan: NaN } }],
    ['dates and other toJSON values, class instances, objects without a prototype', { d: new Date(Date.UTC(2026, 11, 7)), custom: { toJSON: () => ({ replaced: true }) }, p: new Point(1, 2), bare: Object.assign(Object.create(null) as object, { a: 1 }), dates: Array.from({ length: 40 }, (_, i) => new Date(Date.UTC(2020, 0, i + 1))) }],
    ['strings that need escaping: quotes, control characters, emoji, lone surrogates', { s: 'a"b\\c\n\t\u0000\u001f', e: '👩‍💼 Қазақстан', lone: '\ud800x\udfff', keys: { 'ключ "1"': 1, '\ud83d': 2 } }],
    ['deeper than the walked spine', JSON.parse(`${'{"a":'.repeat(20)}[${Array.from({ length: 100 }, (_, i) => i).join(',')}]${'}'.repeat(20)}`) as unknown],
    ['a single long string past the first buffer', { text: 'Ә'.repeat(200_000) }],
    ['scalars and empty containers at the top', [null, true, 0, '', [], {}]],
  ];

  it.each(cases)('writes the same bytes as JSON.stringify: %s', (_name, value) => {
    expect(jsonBytes(value).equals(reference(value))).toBe(true);
    expect(jsonBytes(value, '\n').equals(reference(value, '\n'))).toBe(true);
  });

  it('writes a value JSON.stringify leaves out entirely as null', () => {
    expect(jsonBytes(undefined).toString()).toBe('null');
    expect(jsonBytes(() => 1, '\n').toString()).toBe('null\n');
  });

  it('throws where JSON.stringify throws', () => {
    expect(() => jsonBytes({ big: [1n] })).toThrow(TypeError);
    const cyclic: Record<string, unknown> = { list: [] };
    (cyclic.list as unknown[]).push(cyclic);
    expect(() => jsonBytes(cyclic)).toThrow(TypeError);
  });

  /**
   * Random JSON-like values: objects and lists of every length around the threshold, text in three
   * scripts. A budget of nodes keeps each value small enough to check by the hundred.
   */
  function randomValue(rng: Rng, budget: { nodes: number }): unknown {
    budget.nodes--;
    const text = () => Array.from({ length: rng.int(0, 12) }, () => rng.pick(['a', 'Қ', 'я', '"', '\\', '\n', '😀', ' ', '1'])).join('');
    switch (rng.int(0, budget.nodes > 0 ? 7 : 4)) {
      case 0: return null;
      case 1: return rng.chance(0.5);
      case 2: return rng.chance(0.5) ? rng.int(-1000, 1000) : rng.next() * 1e6;
      case 3: return text();
      case 4: return rng.chance(0.1) ? undefined : text();
      case 5:
      case 6: return Array.from({ length: rng.pick([0, 1, 5, 31, 32, 33, 80]) }, () => randomValue(rng, budget));
      default: return Object.fromEntries(Array.from({ length: rng.int(0, 6) }, () => [text(), randomValue(rng, budget)]));
    }
  }

  it('writes the same bytes as JSON.stringify for 500 random values', () => {
    const rng = createRng('json-bytes');
    for (let i = 0; i < 500; i++) {
      const value = randomValue(rng, { nodes: 400 });
      expect(jsonBytes(value, '\n').toString('utf8')).toBe(`${JSON.stringify(value) ?? 'null'}\n`);
    }
  });
});

describe('answers over HTTP', () => {
  const typeDefs = /* GraphQL */ `
    extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
    type Body { id: ID!, name: String! }
    type Query { bodies(count: Int!): [Body!]! }
  `;
  const resolvers = { Query: { bodies: (_: unknown, { count }: { count: number }) => Array.from({ length: count }, (_x, i) => ({ id: String(i), name: `Министерство ${i} Қазақстан` })) } };
  let server: Listening;
  beforeAll(async () => {
    server = await createSubgraphApp({ name: 'probe', typeDefs, resolvers, context: async () => ({}), production: true }).listen(0);
  });
  afterAll(() => server.close());

  it('sends a long answer as the JSON text Apollo Server would, with its exact length', async () => {
    const res = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ bodies(count: 5000) { id name } }' }) });
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(res.headers.get('content-length')).toBe(String(bytes.length));
    const expected = { data: { bodies: Array.from({ length: 5000 }, (_x, i) => ({ id: String(i), name: `Министерство ${i} Қазақстан` })) } };
    expect(bytes.toString('utf8')).toBe(`${JSON.stringify(expected)}\n`);
  });

  it('sends refusals made before execution the same way, and keeps no answer behind', async () => {
    const res = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ bodies(' }) });
    expect(res.status).toBe(400);
    const json = (await res.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(json.errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
    const other = await fetch(server.url, { method: 'GET', headers: { accept: 'application/json' } });
    expect(other.status).toBe(400);
    expect(answersPending()).toBe(0);
  });
});
