import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Supergraph } from '@apollo/federation-internals';
import { Kind, parse, validate, type OperationDefinitionNode } from 'graphql';
import { DEFAULT_LIMITS, operationLimitErrors, operationLimitsChecker, readOperationFiles } from '../src';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const CONTRACT_DIR = path.resolve(REPO_ROOT, '..', 'shared', 'contract');
const schema = Supergraph.build(readFileSync(path.join(REPO_ROOT, 'schema', 'supergraph.graphql'), 'utf8')).apiSchema().toGraphQLJSSchema();

const cases = readOperationFiles(CONTRACT_DIR).flatMap((file) =>
  parse(file.text)
    .definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)
    .map((operation) => [`${file.name} ${operation.name?.value}`, file.text, operation.name!.value] as const),
);

describe('the consumer contract under the default limits', () => {
  it.each(cases)('%s passes, with first = 100', (_, text, name) => {
    // The parser with the default token limit: the whole file, as the consumers send it.
    const document = parse(text, { maxTokens: DEFAULT_LIMITS.maxTokens });
    expect(validate(schema, document)).toEqual([]);
    const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION && d.name?.value === name);
    expect(operationLimitErrors(DEFAULT_LIMITS, { schema, document, operation, variables: { first: 100 } })).toEqual([]);
  });

  it('has room: the costliest operation stays under half the budget', () => {
    const text = readFileSync(path.join(CONTRACT_DIR, 'analytics.graphql'), 'utf8');
    const document = parse(text);
    const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION && d.name?.value === 'ComplianceAlerts');
    expect(operationLimitErrors({ ...DEFAULT_LIMITS, maxCost: Math.floor(DEFAULT_LIMITS.maxCost / 2) }, { schema, document, operation, variables: { first: 100 } })).toEqual([]);
  });
});

describe('depth and aliases (graphql-armor under the API’s codes)', () => {
  const check = (query: string, limits: Partial<typeof DEFAULT_LIMITS>) => operationLimitErrors({ ...DEFAULT_LIMITS, ...limits }, { schema, document: parse(query) });

  it('depth: at the limit passes, one deeper is MAX_DEPTH_EXCEEDED; fragments add no depth', () => {
    const three = '{ stateBodies { parent { id } } }';
    expect(check(three, { maxDepth: 3 })).toEqual([]);
    expect(check('{ stateBodies { ...B } } fragment B on StateBody { parent { id } }', { maxDepth: 3 })).toEqual([]);
    const [error] = check('{ stateBodies { parent { parent { id } } } }', { maxDepth: 3 });
    expect(error.extensions).toMatchObject({ code: 'MAX_DEPTH_EXCEEDED', limit: 3 });
    expect(error.message).toBe('Query depth limit of 3 exceeded, found 4.');
  });

  it('aliases: at the limit passes, one more is MAX_ALIASES_EXCEEDED', () => {
    expect(check('{ a: stateBodies { id } b: stateBodies { id } }', { maxAliases: 2 })).toEqual([]);
    const [error] = check('{ a: stateBodies { id } b: stateBodies { id } c: stateBodies { i: id } }', { maxAliases: 2 });
    expect(error.extensions).toMatchObject({ code: 'MAX_ALIASES_EXCEEDED', limit: 2 });
    expect(error.message).toBe('Aliases limit of 2 exceeded, found 4.');
  });
});

describe('the per-request checker (what the gateway runs)', () => {
  const operationOf = (document: ReturnType<typeof parse>, name?: string) =>
    document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION && (name === undefined || d.name?.value === name))!;

  it('counts the cost of each request by its own variables, though the document is checked once', () => {
    const check = operationLimitsChecker({ ...DEFAULT_LIMITS, maxCost: 300 });
    const document = parse('query L($first: Int) { civilServants(first: $first) { edges { node { id currentAssignment { position { id } } } } } }');
    const operation = operationOf(document);
    expect(check({ schema, document, operation, variables: { first: 10 } })).toBeUndefined();
    const refusal = check({ schema, document, operation, variables: { first: 100 } });
    expect(refusal?.extensions).toMatchObject({ code: 'MAX_COST_EXCEEDED', limit: 300 });
    expect(check({ schema, document, operation, variables: { first: 10 } })).toBeUndefined();
    // The same refusal as the full validation pass gives.
    expect(operationLimitErrors({ ...DEFAULT_LIMITS, maxCost: 300 }, { schema, document, operation, variables: { first: 100 } })[0]?.message).toBe(refusal?.message);
  });

  it('refuses a too deep document on every request, whichever of its operations is executed', () => {
    const check = operationLimitsChecker({ ...DEFAULT_LIMITS, maxDepth: 3 });
    const document = parse('query Shallow { stateBodies { id } } query Deep { stateBodies { parent { parent { id } } } }');
    for (const name of ['Deep', 'Shallow', 'Deep']) {
      expect(check({ schema, document, operation: operationOf(document, name) })?.extensions).toMatchObject({ code: 'MAX_DEPTH_EXCEEDED', limit: 3 });
    }
  });

  it('costs only the operation executed', () => {
    const check = operationLimitsChecker({ ...DEFAULT_LIMITS, maxCost: 300 });
    const document = parse('query Cheap { stateBodies { id } } query Dear { civilServants(first: 100) { edges { node { id currentAssignment { position { id } } } } } }');
    expect(check({ schema, document, operation: operationOf(document, 'Cheap') })).toBeUndefined();
    expect(check({ schema, document, operation: operationOf(document, 'Dear') })?.extensions).toMatchObject({ code: 'MAX_COST_EXCEEDED' });
  });
});
