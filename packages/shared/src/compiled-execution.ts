import type { ApolloServerOptionsWithGateway, BaseContext } from '@apollo/server';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { execute, getOperationAST, GraphQLError, Kind, visit, BREAK, type ASTNode, type DocumentNode, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { getVariableValues } from 'graphql/execution/values';
import { ConfigError } from './config';

type Gateway = ApolloServerOptionsWithGateway<BaseContext>['gateway'];

/** `compiled`: graphql-jit (the default); `interpreted`: graphql-js's own executor. */
export type SubgraphExecution = 'compiled' | 'interpreted';

/** `SUBGRAPH_EXECUTION`, checked: a way back to graphql-js's executor without a release. */
export function executionFromEnv(env: Record<string, string | undefined>): SubgraphExecution {
  const value = env.SUBGRAPH_EXECUTION?.trim() || 'compiled';
  if (value !== 'compiled' && value !== 'interpreted') throw new ConfigError('SUBGRAPH_EXECUTION', `must be 'compiled' or 'interpreted', got '${value}'`);
  return value;
}

/**
 * graphql-jit's errors are its own kind: no `extensions` object when the thrown error had none,
 * which Apollo Server's error formatting reads. Each becomes graphql-js's, with the same message,
 * path, locations, extensions and original error.
 */
function asGraphQLErrors(result: ExecutionResult): ExecutionResult {
  if (!result.errors?.length) return result;
  const errors = result.errors.map((error) => {
    const converted = new GraphQLError(error.message, { path: error.path, originalError: error.originalError ?? undefined, extensions: error.extensions ?? {} });
    // graphql-js computes locations from AST nodes, which graphql-jit does not keep; the field is a plain property.
    (converted as { locations?: GraphQLError['locations'] }).locations = error.locations;
    return converted;
  });
  return { ...result, errors };
}

/**
 * Whether a list item itself failed (an error whose path ends at its index). graphql-jit 0.8 writes
 * such an item's null with `push`, not at its index: when the item fails before the items ahead of
 * it have arrived, the null is overwritten and the list comes back short, or it lands past the end.
 * An entity refused while the others of its batch are still loading made `_entities` shorter than
 * the representations, and the gateway then drops the whole fetch. Such a query is executed again
 * by graphql-js, which places the null (its loaders and the audit collector are the request's, so
 * the second run reads from their caches and records nothing twice). Mutations are never run again.
 */
function failedListItem(result: ExecutionResult): boolean {
  return !!result.errors?.some((error) => typeof error.path?.[error.path.length - 1] === 'number');
}

/** A document graphql-js executes: see `hasVariableInsideLiteral`. */
const INTERPRET = Symbol('interpret');

/**
 * Whether a variable sits inside an object or list literal (`representations: [{ __typename:
 * "CivilServant", id: $id }]`). graphql-jit reads literal arguments when it compiles, before any
 * variable has a value, and gives a custom scalar's literal (`_Any`) without them; graphql-js
 * resolves them per request. The gateway always sends whole variables, so such documents are rare
 * and hand-written: they keep graphql-js.
 */
function hasVariableInsideLiteral(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Variable(_node, _key, _parent, _path, ancestors) {
      if (ancestors.some((a) => !Array.isArray(a) && ((a as ASTNode).kind === Kind.OBJECT || (a as ASTNode).kind === Kind.LIST))) {
        found = true;
        return BREAK;
      }
      return undefined;
    },
  });
  return found;
}

/**
 * A subgraph's operations executed by graphql-jit instead of graphql-js's interpreter. The
 * gateway's entity fetches resolve thousands of objects per request (a workforce answer by state
 * body: ~2,900 segments × ~17 fields), and graphql-js interprets every field of every one of them
 * (field lookup, argument and info objects, completion by type, a promise check). A compiled query
 * is straight-line code per selection, made once.
 *
 * Apollo Server takes a custom executor only through its gateway interface, so this is one that
 * serves a fixed schema. Parsing, validation, plugins (the auth plugin among them) and error
 * formatting stay Apollo Server's. Variables are coerced by graphql-js first, so a bad variable
 * is refused with graphql-js's own errors (which Apollo Server marks BAD_USER_INPUT); graphql-jit
 * then reads the same raw values.
 *
 * A compiled query is kept per parsed document: Apollo Server's document store hands the same
 * `DocumentNode` to every request with the same text, and the cache goes when the store evicts it.
 */
export function compiledExecution(schema: GraphQLSchema): Gateway {
  const compiled = new WeakMap<DocumentNode, Map<string | undefined, CompiledQuery | ExecutionResult | typeof INTERPRET>>();

  function compiledFor(document: DocumentNode, operationName: string | undefined): CompiledQuery | ExecutionResult | typeof INTERPRET {
    let byName = compiled.get(document);
    if (!byName) compiled.set(document, (byName = new Map()));
    let query = byName.get(operationName);
    if (!query) {
      if (hasVariableInsideLiteral(document)) {
        byName.set(operationName, INTERPRET);
        return INTERPRET;
      }
      // A compiled query's stack traces are of generated code; capturing them costs more than
      // they tell (the original error keeps its own).
      query = compileQuery(schema, document, operationName, { disablingCapturingStackErrors: true, useExperimentalPathBasedSkipInclude: true });
      byName.set(operationName, query);
    }
    return query;
  }

  return {
    async load() {
      return {
        schema,
        async executor(request) {
          const operationName = request.operationName ?? undefined;
          const operation = getOperationAST(request.document, operationName);
          const variables = request.request.variables ?? {};
          if (operation) {
            const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], variables);
            if (coerced.errors) return { errors: coerced.errors };
          }
          const query = compiledFor(request.document, operationName);
          if (query === INTERPRET) return execute({ schema, document: request.document, operationName, contextValue: request.context, variableValues: variables });
          if (!isCompiledQuery(query)) return query;
          const result = await query.query(undefined, request.context, variables);
          if (operation?.operation === 'query' && failedListItem(result)) {
            return execute({ schema, document: request.document, operationName, contextValue: request.context, variableValues: variables });
          }
          return asGraphQLErrors(result);
        },
      };
    },
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: '' });
      return () => {};
    },
    async stop() {},
  };
}
