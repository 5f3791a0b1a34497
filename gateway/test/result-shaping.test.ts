import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildSchema, operationFromDocument, possibleRuntimeTypes, Supergraph, type Operation, type Schema, type SelectionSet, type Type } from '@apollo/federation-internals';
import { parse } from 'graphql';
import { createRng, type Rng } from '@civil-service/shared';
import { computeResponse, useResultShaping } from '../src/result-shaping';

// Apollo's own, to hold ours to: the module's export is replaced when a gateway is created.
// eslint-disable-next-line @typescript-eslint/no-require-imports
import apolloShaping = require('@apollo/gateway/dist/resultShaping');
const apolloComputeResponse = apolloShaping.computeResponse;

type Input = Record<string, unknown>;

/** Everything a shaping gives back, or what it threw, as comparable JSON. */
function outcome(shape: typeof computeResponse, operation: Operation, input: Input | null, variables: Record<string, unknown> = {}): string {
  try {
    const { data, errors } = shape({ operation, variables, input, introspectionHandling: (f) => ({ introspected: f.element.responseName() }) });
    return JSON.stringify({ data, errors: errors.map((e) => ({ message: e.message, path: e.path, code: e.extensions.code })) });
  } catch (err) {
    return JSON.stringify({ threw: (err as Error).message });
  }
}

/** Ours and Apollo's on one input: the same outcome, which is returned parsed. */
function shapeBoth(operation: Operation, input: Input | null, variables?: Record<string, unknown>): { data?: unknown; errors?: Array<{ message: string; path: unknown[] }>; threw?: string } {
  const ours = outcome(computeResponse, operation, structuredClone(input), variables);
  expect(ours).toEqual(outcome(apolloComputeResponse, operation, structuredClone(input), variables));
  return JSON.parse(ours) as ReturnType<typeof shapeBoth>;
}

const SDL = `
  schema { query: Query }
  scalar Date
  enum Level { A B }
  interface Node { id: ID! }
  type Body implements Node { id: ID! title: String }
  type Servant implements Node { id: ID! name: String! age: Int rating: Float active: Boolean level: Level! born: Date body: Body tags: [String!]! }
  union Found = Servant | Body
  type Query {
    servant: Servant
    servants: [Servant!]
    nodes: [Node]
    found: [Found!]!
    matrix: [[Int!]]
    count: Int!
  }
`;
const schema = buildSchema(SDL);
const operationOf = (s: Schema, query: string, operationName?: string) => operationFromDocument(s, parse(query), { validate: true, ...(operationName ? { operationName } : {}) });

describe('result shaping: the same answers and errors as @apollo/gateway, for less work', () => {
  it('keeps selected fields in selection order under their aliases, merging a field selected twice', () => {
    const op = operationOf(schema, '{ s: servant { id who: name } servant { name } s: servant { body { title } } count }');
    const out = shapeBoth(op, { s: { id: '7', who: 'Aigerim', body: { title: 'Akimat', extra: 1 }, unselected: true }, servant: { name: 'Daulet' }, count: 3 });
    expect(out.data).toEqual({ s: { id: '7', who: 'Aigerim', body: { title: 'Akimat' } }, servant: { name: 'Daulet' }, count: 3 });
    expect(out.errors).toEqual([]);
  });

  it('inherits nothing into the answer: response names such as constructor and toString are fields like any other', () => {
    const op = operationOf(schema, '{ servant { constructor: id toString: name hasOwnProperty: age } }');
    const out = shapeBoth(op, JSON.parse('{"servant":{"constructor":"1","toString":"A","hasOwnProperty":null}}') as Input);
    expect(out.data).toEqual({ servant: { constructor: '1', toString: 'A', hasOwnProperty: null } });
    const { data } = computeResponse({ operation: op, input: { servant: { constructor: '1', toString: 'A' } }, introspectionHandling: () => null });
    const servant = (data as { servant: Record<string, unknown> }).servant;
    expect(Object.keys(servant)).toEqual(['constructor', 'toString', 'hasOwnProperty']);
    expect('valueOf' in servant).toBe(false);
  });

  it('leaves out what @skip and @include leave out, from literals, variables and their defaults', () => {
    const op = operationOf(schema, 'query Q($hide: Boolean!, $show: Boolean = true) { servant { id @skip(if: $hide) name @include(if: $show) age @include(if: false) } }');
    const input = { servant: { id: '1', name: 'A', age: 40 } };
    expect(shapeBoth(op, input, { hide: true }).data).toEqual({ servant: { name: 'A' } });
    expect(shapeBoth(op, input, { hide: false, show: false }).data).toEqual({ servant: { id: '1' } });
  });

  it('nulls a non-null field that came back null up to the nearest nullable parent, with one error', () => {
    const op = operationOf(schema, '{ servant { id name } servants { id level } count }');
    const out = shapeBoth(op, { servant: { id: '1', name: null }, servants: [{ id: '2', level: 'A' }, { id: '3', level: null }], count: 1 });
    expect(out.data).toEqual({ servant: null, servants: null, count: 1 });
    expect(out.errors).toEqual([
      { message: 'Cannot return null for non-nullable field Servant.name.', path: ['servant', 'name'], code: 'INVALID_GRAPHQL' },
      { message: 'Cannot return null for non-nullable field Servant.level.', path: ['servants', 1, 'level'], code: 'INVALID_GRAPHQL' },
    ]);
  });

  it('refuses leaf values of the wrong kind, and takes any value of a custom scalar', () => {
    const op = operationOf(schema, '{ servant { id age rating active born } }');
    const out = shapeBoth(op, { servant: { id: 12, age: 1.5, rating: '4', active: 'yes', born: { any: 'thing' } } });
    expect(out.data).toEqual({ servant: { id: 12, age: null, rating: null, active: null, born: { any: 'thing' } } });
    expect(out.errors!.map((e) => e.message)).toEqual(['Invalid value found for field Servant.age.', 'Invalid value found for field Servant.rating.', 'Invalid value found for field Servant.active.']);
    expect(shapeBoth(operationOf(schema, '{ servant { level } }'), { servant: { level: 'C' } }).data).toEqual({ servant: null });
  });

  it('takes an Int or a numeric ID exactly when Apollo does: integers printed without an exponent', () => {
    const op = operationOf(schema, '{ nodes { id ... on Servant { age } } }');
    const values = [0, -0, 7, -7, 2 ** 53, 1e20, 999999999999999900000, 1e21, -1e21, 1.5, 1e-7, NaN, Infinity, -Infinity, Number.MAX_VALUE];
    const out = shapeBoth(op, { nodes: values.map((v) => ({ __typename: 'Servant', id: v, age: v })) });
    const accepted = (out.data as { nodes: Array<{ id: unknown; age: unknown } | null> }).nodes.map((n) => n !== null && n.age !== null);
    expect(accepted).toEqual([true, true, true, true, true, true, true, false, false, false, false, false, false, false, false]);
  });

  it('picks fragments by __typename on unions and interfaces, and answers __typename under an alias', () => {
    const op = operationOf(schema, '{ found { kind: __typename ... on Servant { name } ... on Body { title } ... on Node { id } } nodes { __typename id } }');
    const out = shapeBoth(op, { found: [{ __typename: 'Servant', name: 'A', title: 'no', id: '1' }, { __typename: 'Body', title: 'T', id: '2' }], nodes: [{ __typename: 'Body', id: '3' }, null] });
    expect(out.data).toEqual({ found: [{ kind: 'Servant', name: 'A', id: '1' }, { kind: 'Body', title: 'T', id: '2' }], nodes: [{ __typename: 'Body', id: '3' }, null] });
    const bad = shapeBoth(op, { found: [{ __typename: 'Nope', name: 'A' }], nodes: null });
    // `found` is [Found!]!: the bad element nulls the list, and the list the whole answer; the
    // element's own error is the only one.
    expect(bad.data).toBeNull();
    expect(bad.errors!.map((e) => e.message)).toEqual(['Invalid __typename found for object at array element of type Found at index 0.']);
  });

  it('answers introspection fields through the gateway’s handler and keeps lists of lists', () => {
    const op = operationOf(schema, '{ __type(name: "Body") { name } matrix }');
    expect(shapeBoth(op, { matrix: [[1, 2], null, []] }).data).toEqual({ __type: { introspected: '__type' }, matrix: [[1, 2], null, []] });
  });

  it('answers nothing for no input, and throws as Apollo does on a list that is not one', () => {
    expect(shapeBoth(operationOf(schema, '{ count }'), null).data).toBeNull();
    expect(shapeBoth(operationOf(schema, '{ servants { id } }'), { servants: { id: '1' } }).threw).toMatch(/Invalid non-list value/);
  });
});

/** A random answer for a selection set: mostly well-formed, with nulls, gaps, wrong kinds and wrong type names. */
function randomValue(rng: Rng, schema: Schema, type: Type, selectionSet: SelectionSet | undefined, depth: number): unknown {
  const roll = rng.next();
  if (roll < 0.06) return null;
  if (type.kind === 'NonNullType') return randomValue(rng, schema, type.ofType, selectionSet, depth);
  if (type.kind === 'ListType') {
    if (roll < 0.08) return 'not a list';
    return Array.from({ length: rng.int(0, 3) }, () => randomValue(rng, schema, type.ofType, selectionSet, depth + 1));
  }
  if (type.kind === 'ObjectType' || type.kind === 'InterfaceType' || type.kind === 'UnionType') {
    const object: Input = {};
    const possible = possibleRuntimeTypes(type);
    const t = rng.next();
    if (t < 0.05) object.__typename = 'NoSuchType';
    else if (t < 0.85 && possible.length > 0) object.__typename = rng.pick(possible).name;
    if (selectionSet && depth < 6) fillSelection(rng, schema, selectionSet, object, depth + 1);
    return object;
  }
  if (roll < 0.16) return rng.pick(['text', 12, 1.5, true, NaN, { x: 1 }, -0]);
  switch (type.kind === 'EnumType' ? 'enum' : type.name) {
    case 'enum':
      return type.kind === 'EnumType' ? rng.pick(type.values).name : null;
    case 'Int':
      return rng.int(-5, 5000);
    case 'Float':
      return rng.next() * 100;
    case 'Boolean':
      return rng.chance(0.5);
    case 'ID':
      return rng.chance(0.5) ? String(rng.int(1, 99)) : rng.int(1, 99);
    default:
      return rng.chance(0.8) ? `v${rng.int(0, 99)}` : { custom: [1, 2] };
  }
}

function fillSelection(rng: Rng, schema: Schema, selectionSet: SelectionSet, object: Input, depth: number): void {
  for (const selection of selectionSet.selections()) {
    if (selection.kind === 'FragmentSelection') {
      fillSelection(rng, schema, selection.selectionSet, object, depth);
      continue;
    }
    const field = selection.element;
    if (field.name === '__typename' || rng.chance(0.03)) continue;
    object[field.responseName()] = randomValue(rng, schema, field.definition.type!, selection.selectionSet, depth);
  }
}

describe('result shaping on random answers to the contract’s operations', () => {
  const supergraph = Supergraph.build(readFileSync(path.resolve(__dirname, '..', '..', 'schema', 'supergraph.graphql'), 'utf8'));
  const api = supergraph.apiSchema();
  const contract = path.resolve(__dirname, '..', '..', '..', 'shared', 'contract');
  const operations: Array<[string, Schema, string]> = [];
  for (const file of ['profile', 'directory', 'analytics', 'writes']) {
    const source = readFileSync(path.join(contract, `${file}.graphql`), 'utf8');
    for (const def of parse(source).definitions) {
      if (def.kind === 'OperationDefinition' && def.name) operations.push([def.name.value, api, source]);
    }
  }
  operations.push(['Mixed', schema, 'query Mixed($v: Boolean = false) { servant { id name age rating active level born body { id title } tags } found { __typename ... on Servant { name level } ... on Node { id } ... on Body { title @skip(if: $v) } } nodes { id ... on Servant { tags } } matrix count }']);

  it.each(operations)('%s: 300 random answers shaped alike', (name, s, source) => {
    const op = operationOf(s, source, name);
    const rng = createRng(`result-shaping ${name}`);
    let errors = 0;
    for (let i = 0; i < 300; i++) {
      const input: Input = {};
      fillSelection(rng, s, op.selectionSet, input, 0);
      const out = shapeBoth(op, input);
      errors += out.errors?.length ?? 0;
    }
    // The answers were not all clean: the error paths were compared too.
    expect(errors).toBeGreaterThan(0);
  });
});

describe('useResultShaping', () => {
  it('installs ours in @apollo/gateway, or puts Apollo’s back', () => {
    expect(useResultShaping('apollo')).toBe('apollo');
    expect(apolloShaping.computeResponse).toBe(apolloComputeResponse);
    expect(useResultShaping('fast')).toBe('fast');
    expect(apolloShaping.computeResponse).toBe(computeResponse);
  });
});
