import { buildSchema, getOperationAST, Kind, parse, validate, type FragmentDefinitionNode } from 'graphql';
import { costLimitRule, operationCost } from '../src';

const schema = buildSchema(`
  type Query { one: Item  all: [Item!]!  items(first: Int): [Item!]!  page(first: Int): Conn! }
  type Mutation { touch: Item }
  type Conn { total: Int  pageInfo: Info!  edges: [Edge!]! }
  type Edge { cursor: String  node: Item! }
  type Info { end: String }
  type Item { id: ID!  tags: [String!]!  parent: Item  children: [Item!]!  page(first: Int): Conn! }
`);

function cost(query: string, variables?: Record<string, unknown>): number {
  const document = parse(query);
  expect(validate(schema, document)).toEqual([]);
  const fragments = Object.fromEntries(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
  return operationCost(schema, getOperationAST(document)!, fragments, { variables });
}

describe('operation cost', () => {
  it('counts object fields, not leaves', () => {
    expect(cost('{ one { id tags } }')).toBe(1);
    expect(cost('{ one { parent { parent { id } } } }')).toBe(3);
    expect(cost('mutation { touch { id } }')).toBe(1);
  });

  it('sizes a list by its first, 20 when absent, at most 100', () => {
    expect(cost('{ items(first: 5) { id parent { id } } }')).toBe(10);
    expect(cost('{ items { id } }')).toBe(20);
    expect(cost('{ items(first: 1000) { id } }')).toBe(100);
    expect(cost('{ items(first: -3) { id } }')).toBe(0);
  });

  it('counts a variable first by its value', () => {
    const q = 'query($n: Int) { items(first: $n) { id } }';
    expect(cost(q, { n: 30 })).toBe(30);
    expect(cost(q, {})).toBe(20);
    expect(cost(q, { n: null })).toBe(20);
    expect(cost(q, { n: 5000 })).toBe(100);
  });

  it('sizes a connection’s own lists by its first, once', () => {
    // page 1 + pageInfo 1 + 7 edges × (edge 1 + node 1)
    expect(cost('{ page(first: 7) { total pageInfo { end } edges { cursor node { id } } } }')).toBe(16);
    // The lists inside a node are not the page: they count as unsized lists.
    expect(cost('{ page(first: 2) { edges { node { children { id } } } } }')).toBe(1 + 2 * (1 + 1 + 10));
  });

  it('counts a list without first as 10, and nested lists multiply', () => {
    expect(cost('{ all { id } }')).toBe(10);
    expect(cost('{ all { children { id } } }')).toBe(10 * (1 + 10));
    expect(cost('{ items(first: 100) { page(first: 100) { edges { node { id } } } } }')).toBe(100 * (1 + 1 + 100 * 2));
  });

  it('costs fragments as if inlined', () => {
    const inline = cost('{ page(first: 3) { edges { node { id parent { id } } } } }');
    expect(cost('{ page(first: 3) { ...P } } fragment P on Conn { edges { ...E } } fragment E on Edge { node { ... on Item { id parent { id } } } }')).toBe(inline);
  });

  it('ignores introspection and __typename', () => {
    expect(cost('{ __typename one { __typename } }')).toBe(1);
    expect(cost('{ __schema { types { fields { name type { ofType { name } } } } } }')).toBe(0);
  });

  it('costs fragments spread many times once each, so a fan-out document is cheap to cost', () => {
    const depth = 40;
    const fragments = Array.from({ length: depth }, (_, i) => `fragment F${i} on Item { parent { ...F${i + 1} ...F${i + 1} } }`).join('\n');
    const query = `{ one { ...F0 } } ${fragments} fragment F${depth} on Item { id }`;
    const started = Date.now();
    // one 1 + F0, where F(i) = 1 + 2 F(i+1) and F40 = 0: 2^40 in all.
    expect(cost(query)).toBe(2 ** 40);
    expect(Date.now() - started).toBeLessThan(1000);
  });
});

describe('costLimitRule', () => {
  const check = (query: string, maxCost: number, variables?: Record<string, unknown>, operationName?: string) => {
    const document = parse(query);
    const operation = operationName ? getOperationAST(document, operationName) ?? undefined : undefined;
    return validate(schema, document, [costLimitRule({ maxCost, variables, operation })]);
  };

  it('passes at the limit and refuses over it with MAX_COST_EXCEEDED naming both', () => {
    expect(check('query($n: Int) { items(first: $n) { id } }', 30, { n: 30 })).toEqual([]);
    const [error] = check('query($n: Int) { items(first: $n) { id } }', 30, { n: 31 });
    expect(error.extensions).toMatchObject({ code: 'MAX_COST_EXCEEDED', limit: 30, cost: 31 });
    expect(error.message).toMatch(/cost limit of 30 exceeded: operation costs 31/);
  });

  it('costs only the operation executed when one is named', () => {
    const query = 'query Small { one { id } } query Big { all { children { id } } }';
    expect(check(query, 10, {}, 'Small')).toEqual([]);
    expect(check(query, 10, {}, 'Big')[0]?.message).toMatch(/operation Big costs 110/);
    expect(check(query, 10)).toHaveLength(1);
  });
});
