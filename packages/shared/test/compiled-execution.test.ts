import { GraphQLError } from 'graphql';
import { ConfigError, createSubgraphApp, executionFromEnv, type Listening, type SubgraphExecution } from '../src';

/**
 * Subgraphs execute with graphql-jit (compiled-execution.ts). The same operations sent to the same
 * subgraph executed by graphql-js must give the same HTTP status and body, byte for byte: answers,
 * errors (messages, paths, locations, codes), null propagation, entities, variables refused.
 */
const typeDefs = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  scalar Date
  enum Band {
    A
    B
    C
  }
  interface Named {
    name: String!
  }
  type BandCount {
    band: Band!
    count: Int!
  }
  type Segment implements Named @key(fields: "key") {
    key: String!
    name: String!
    count: Int
    share: Float
    band: Band
    bands: [BandCount!]!
    since: Date
    refused: String
    broken: String
    mustNotBeNull: String!
  }
  type Body implements Named {
    name: String!
  }
  union Thing = Segment | Body
  input SegmentFilter {
    band: Band
    minCount: Int
  }
  type Query {
    segments(first: Int!, filter: SegmentFilter): [Segment!]!
    segment(key: String!): Segment
    things: [Thing]!
    named: [Named!]!
    dayAfter(day: Date!): Date!
  }
  type Mutation {
    add(n: Int!): [Int!]!
  }
`;

interface SegmentValue {
  key: string;
  index: number;
}

const BANDS = ['A', 'B', 'C'] as const;
const segmentOf = (index: number): SegmentValue => ({ key: `k${index}`, index });

function resolversWith(log: number[]) {
  return {
    Query: {
      segments: (_: unknown, { first, filter }: { first: number; filter?: { band?: string; minCount?: number } }) =>
        Array.from({ length: first }, (_v, i) => segmentOf(i)).filter((s) => (!filter?.band || BANDS[s.index % 3] === filter.band) && (filter?.minCount === undefined || s.index * 10 >= filter.minCount)),
      segment: (_: unknown, { key }: { key: string }) => (/^k\d+$/.test(key) ? Promise.resolve(segmentOf(Number(key.slice(1)))) : null),
      things: () => [{ __typename: 'Body', name: 'Министерство' }, segmentOf(1), null],
      named: () => [segmentOf(2), { __typename: 'Body', name: 'Аким' }],
      dayAfter: (_: unknown, { day }: { day: Date }) => new Date(day.getTime() + 86_400_000),
    },
    Mutation: {
      add: async (_: unknown, { n }: { n: number }) => {
        await new Promise((resolve) => setTimeout(resolve, n === 1 ? 20 : 0));
        log.push(n);
        return [...log];
      },
    },
    Thing: { __resolveType: (v: { __typename?: string }) => v.__typename ?? 'Segment' },
    Named: { __resolveType: (v: { __typename?: string }) => v.__typename ?? 'Segment' },
    Segment: {
      __resolveReference: (ref: { key?: unknown }) => {
        if (ref.key === 'bad') throw new GraphQLError('not a segment key', { extensions: { code: 'BAD_USER_INPUT' } });
        if (ref.key === 'missing') return null;
        if (ref.key === 'refused') return Promise.reject(new GraphQLError('not your segment', { extensions: { code: 'FORBIDDEN' } }));
        // Answered after the others: a refusal of a later entity settles first.
        if (String(ref.key).startsWith('late')) return new Promise((resolve) => setTimeout(() => resolve(segmentOf(Number(String(ref.key).slice(4)))), 5));
        return Promise.resolve(segmentOf(Number(String(ref.key).slice(1))));
      },
      name: (s: SegmentValue) => `Сегмент ${s.index}`,
      count: (s: SegmentValue) => (s.index % 4 === 3 ? null : s.index * 10),
      share: (s: SegmentValue) => s.index / 7,
      band: (s: SegmentValue) => BANDS[s.index % 3],
      bands: (s: SegmentValue) => BANDS.map((band, i) => ({ band, count: s.index + i })),
      since: (s: SegmentValue) => new Date(Date.UTC(2020, 0, 1 + s.index)),
      refused: (s: SegmentValue) => {
        if (s.index % 2) throw new GraphQLError(`segment ${s.index} is not yours`, { extensions: { code: 'FORBIDDEN' } });
        return 'yours';
      },
      broken: () => {
        throw new Error('internal detail');
      },
      mustNotBeNull: (s: SegmentValue) => (s.index === 2 ? null : 'present'),
    },
  };
}

async function start(execution: SubgraphExecution): Promise<{ server: Listening; log: number[] }> {
  const log: number[] = [];
  const app = createSubgraphApp({ name: 'probe', typeDefs, resolvers: resolversWith(log), context: async () => ({}), production: true, execution });
  return { server: await app.listen(0), log };
}

async function post(url: string, body: unknown): Promise<{ status: number; text: string }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, text: await res.text() };
}

const ENTITIES = 'query($r: [_Any!]!) { _entities(representations: $r) { __typename ... on Segment { key name count refused } } }';

const CASES: Array<[string, { query: string; variables?: Record<string, unknown>; operationName?: string }]> = [
  ['fields, aliases, lists, enums, floats, a custom scalar', { query: '{ segments(first: 5) { key k: key name count share band bands { band count } since __typename } }' }],
  ['errors with codes beside data, and an internal one', { query: '{ segments(first: 4) { key refused broken } }' }],
  ['a non-null field null: the list goes, the error names the path', { query: '{ segments(first: 4) { key mustNotBeNull } }' }],
  ['the same field twice, merged; fragments and inline fragments', { query: '{ segments(first: 3) { ...F key ... on Segment { count key } } } fragment F on Segment { name count }' }],
  ...[
    [true, true],
    [true, false],
    [false, true],
    [false, false],
  ].map(([s, i]): [string, { query: string; variables: Record<string, unknown> }] => [
    `@skip(${String(s)}) and @include(${String(i)}) on fields, fragment spreads and inline fragments`,
    {
      query: 'query($s: Boolean!, $i: Boolean!) { segments(first: 3) { key ...F @include(if: $i) ... on Segment @skip(if: $s) { share } band @skip(if: $s) @include(if: $i) } } fragment F on Segment { name count }',
      variables: { s, i },
    },
  ]),
  ['arguments as variables, an input object, and defaults', { query: 'query($n: Int = 9, $f: SegmentFilter) { segments(first: $n, filter: $f) { key band } }', variables: { f: { band: 'B', minCount: 20 } } }],
  ['an input object literal with a variable inside', { query: 'query($b: Band) { segments(first: 9, filter: { band: $b }) { key } }', variables: { b: 'C' } }],
  ['a nullable root field, async, missing', { query: '{ a: segment(key: "k4") { key name } b: segment(key: "nope") { key } }' }],
  ['unions and interfaces by __typename', { query: '{ things { __typename ... on Body { name } ... on Segment { key } } named { name __typename ... on Segment { count } } }' }],
  ['a custom scalar in and out', { query: 'query($d: Date!) { dayAfter(day: $d) x: dayAfter(day: "2026-02-28") }', variables: { d: '2026-12-31' } }],
  ['entities: found, refused, missing and errors inside', { query: ENTITIES, variables: { r: [{ __typename: 'Segment', key: 'k1' }, { __typename: 'Segment', key: 'bad' }, { __typename: 'Segment', key: 'missing' }, { __typename: 'Segment', key: 'k2' }] } }],
  ['entities: the last refused (a rejected promise) before the others arrive', { query: ENTITIES, variables: { r: [{ __typename: 'Segment', key: 'late1' }, { __typename: 'Segment', key: 'late2' }, { __typename: 'Segment', key: 'refused' }] } }],
  ['entities: one refused in the middle, then one missing, the rest late', { query: ENTITIES, variables: { r: [{ __typename: 'Segment', key: 'late3' }, { __typename: 'Segment', key: 'refused' }, { __typename: 'Segment', key: 'late5' }, { __typename: 'Segment', key: 'refused' }] } }],
  ['entities written inline with a variable inside (graphql-js executes it)', { query: 'query($k: String!) { _entities(representations: [{ __typename: "Segment", key: $k }]) { ... on Segment { key name } } }', variables: { k: 'k3' } }],
  ['introspection and the subgraph SDL', { query: '{ __schema { queryType { name } } __type(name: "Band") { enumValues { name } } _service { sdl } }' }],
  ['two operations, one chosen by name', { query: 'query One { segments(first: 1) { key } } query Two { segments(first: 2) { name } }', operationName: 'Two' }],
  ['a bad variable: refused before anything runs', { query: 'query($n: Int!) { segments(first: $n) { key } }', variables: { n: 'three' } }],
  ['a missing required variable', { query: 'query($n: Int!) { segments(first: $n) { key } }' }],
  ['an invalid date variable: the scalar refuses it', { query: 'query($d: Date!) { dayAfter(day: $d) }', variables: { d: '2026-02-30' } }],
  ['a bad enum in an input object variable', { query: 'query($f: SegmentFilter) { segments(first: 3, filter: $f) { key } }', variables: { f: { band: 'Z' } } }],
];

describe('compiled execution (graphql-jit) answers as graphql-js does', () => {
  let compiled: { server: Listening; log: number[] };
  let interpreted: { server: Listening; log: number[] };
  beforeAll(async () => {
    compiled = await start('compiled');
    interpreted = await start('interpreted');
  });
  afterAll(async () => {
    await compiled.server.close();
    await interpreted.server.close();
  });

  it.each(CASES)('%s', async (_title, body) => {
    const expected = await post(interpreted.server.url, body);
    // Twice: the second run is served by the query compiled on the first.
    for (let run = 0; run < 2; run++) {
      const actual = await post(compiled.server.url, body);
      expect(actual).toEqual(expected);
    }
  });

  it('keeps the codes callers rely on', async () => {
    const refused = JSON.parse((await post(compiled.server.url, { query: '{ segments(first: 2) { key refused broken } }' })).text) as { errors: Array<{ message: string; path: unknown[]; extensions: { code: string } }> };
    expect(refused.errors.map((e) => [e.message, e.path, e.extensions.code])).toEqual([
      ['Internal server error', ['segments', 0, 'broken'], 'INTERNAL_SERVER_ERROR'],
      ['segment 1 is not yours', ['segments', 1, 'refused'], 'FORBIDDEN'],
      ['Internal server error', ['segments', 1, 'broken'], 'INTERNAL_SERVER_ERROR'],
    ]);
    const badVariable = await post(compiled.server.url, { query: 'query($n: Int!) { segments(first: $n) { key } }', variables: { n: 'three' } });
    expect((JSON.parse(badVariable.text) as { errors: Array<{ extensions: { code: string } }> }).errors[0].extensions.code).toBe('BAD_USER_INPUT');
    const badDate = await post(compiled.server.url, { query: 'query($d: Date!) { dayAfter(day: $d) }', variables: { d: '2026-02-30' } });
    expect(badDate.text).toContain('BAD_USER_INPUT');
  });

  it('runs mutation fields one after another, in order', async () => {
    const res = await post(compiled.server.url, { query: 'mutation { a: add(n: 1) b: add(n: 2) }' });
    expect(JSON.parse(res.text)).toEqual({ data: { a: [1], b: [1, 2] } });
  });
});

describe('SUBGRAPH_EXECUTION', () => {
  it('defaults to compiled, accepts interpreted, and refuses anything else by name', () => {
    expect(executionFromEnv({})).toBe('compiled');
    expect(executionFromEnv({ SUBGRAPH_EXECUTION: 'interpreted' })).toBe('interpreted');
    expect(() => executionFromEnv({ SUBGRAPH_EXECUTION: 'jit' })).toThrow(ConfigError);
    expect(() => executionFromEnv({ SUBGRAPH_EXECUTION: 'jit' })).toThrow(/SUBGRAPH_EXECUTION: must be 'compiled' or 'interpreted', got 'jit'/);
  });
});
