import type { ApolloServerPlugin } from '@apollo/server';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import type { GraphQLArmorRejectCallback } from '@escape.tech/graphql-armor-types';
import { GraphQLError, validate, type DocumentNode, type FragmentDefinitionNode, type GraphQLSchema, type OperationDefinitionNode, type ValidationRule } from 'graphql';
import { ErrorCode } from '@civil-service/shared';
import { costLimitRule, costRefusal, fragmentsOf, operationCost } from './cost';
import type { GatewayContext } from './data-source';
import type { Safelist } from './safelist';

/** The gateway's abuse limits; `DEFAULT_LIMITS` and gateway/README.md give the defaults. */
export interface AbuseLimits {
  /** Deepest field nesting of an operation; fragments add no depth of their own. */
  maxDepth: number;
  /** Aliased fields in an operation (`__typename` excepted). */
  maxAliases: number;
  /** Cost budget of one operation (see cost.ts). */
  maxCost: number;
  /** Lexical tokens in a document; the parser stops at the first one over. */
  maxTokens: number;
  /** Request body size; larger ones are refused with 413 before they are parsed. */
  maxBodyBytes: number;
  /** Requests per minute per token (per IP without a valid token); 0 turns the limit off. */
  rateLimitPerMinute: number;
}

/**
 * The contract's operations (../shared/contract) reach depth 8, use no alias, hold at most about
 * 250 tokens a file and cost at most 2,404 (ComplianceAlerts, four lists of `first: 100`);
 * gateway/test/limits.test.ts keeps them under these defaults, which leave room above them and
 * stop what no consumer sends. The rate limit default is high enough that `npm run bench` (one
 * token, closed loop, a few hundred requests a second) and the test suite never meet it: it stops
 * a runaway client, and a deployment sets its own figure.
 */
export const DEFAULT_LIMITS: AbuseLimits = {
  maxDepth: 10,
  maxAliases: 15,
  maxCost: 5000,
  maxTokens: 1000,
  maxBodyBytes: 1_048_576,
  rateLimitPerMinute: 120_000,
};

/** A refusal of the request as sent: HTTP 400, the API's code, nothing planned or fetched. */
function limitError(message: string, code: ErrorCode, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extensions, http: { status: 400 } } });
}

/** graphql-armor reports its refusals as `Syntax Error: …` with no code; they are re-reported under the API's. */
function reportAs(code: ErrorCode, limit: number): GraphQLArmorRejectCallback {
  return (context, error) => context?.reportError(limitError(error.message.replace(/^Syntax Error: /, ''), code, { limit }));
}

export function notInSafelist(queryHash: string): GraphQLError {
  return limitError(
    `This gateway accepts only the operations of its safelist (the consumer contract, gateway/safelist.json); the document with sha256 ${queryHash} is not one of them`,
    ErrorCode.OPERATION_NOT_IN_SAFELIST,
  );
}

export interface OperationCheck {
  schema: GraphQLSchema;
  document: DocumentNode;
  /** The operation the request executes; the cost is counted for it alone. */
  operation?: OperationDefinitionNode;
  variables?: Record<string, unknown>;
}

/** The depth, alias and cost refusals of a document (empty when within the limits). */
export function operationLimitErrors(limits: Pick<AbuseLimits, 'maxDepth' | 'maxAliases' | 'maxCost'>, { schema, document, operation, variables }: OperationCheck): readonly GraphQLError[] {
  return validate(schema, document, [...shapeRules(limits), costLimitRule({ maxCost: limits.maxCost, operation, variables })]);
}

function shapeRules(limits: Pick<AbuseLimits, 'maxDepth' | 'maxAliases'>): ValidationRule[] {
  return [
    maxDepthRule({ n: limits.maxDepth, flattenFragments: true, propagateOnRejection: false, onReject: [reportAs(ErrorCode.MAX_DEPTH_EXCEEDED, limits.maxDepth)] }),
    maxAliasesRule({ n: limits.maxAliases, propagateOnRejection: false, onReject: [reportAs(ErrorCode.MAX_ALIASES_EXCEEDED, limits.maxAliases)] }),
  ];
}

/**
 * `operationLimitErrors` for a stream of requests, first refusal only. Depth and aliases depend on
 * the document alone, so they are checked once per parsed document (Apollo gives every request of
 * a query it has seen the same parsed document); the cost depends on the variables and is counted
 * per request, for the operation executed, without walking the document's other operations. A
 * validation pass over a contract document cost about 0.5 ms a request, a tenth of the gateway's
 * CPU for a small answer.
 */
export function operationLimitsChecker(limits: Pick<AbuseLimits, 'maxDepth' | 'maxAliases' | 'maxCost'>): (check: Required<Omit<OperationCheck, 'variables'>> & Pick<OperationCheck, 'variables'>) => GraphQLError | undefined {
  const checked = new WeakMap<DocumentNode, { shape: GraphQLError | undefined; fragments: Record<string, FragmentDefinitionNode> }>();
  return ({ schema, document, operation, variables }) => {
    let known = checked.get(document);
    if (!known) {
      known = { shape: validate(schema, document, shapeRules(limits))[0], fragments: fragmentsOf(document) };
      checked.set(document, known);
    }
    return known.shape ?? costRefusal(limits.maxCost, operation, operationCost(schema, operation, known.fragments, { variables }));
  };
}

/**
 * Checks each operation before anything is planned: the safelist first (when there is one), then
 * depth, aliases and cost. They run in `didResolveOperation`, once the document is parsed and has
 * passed Apollo's validation (which the token limit bounds), because Apollo relabels every
 * validation error GRAPHQL_VALIDATION_FAILED and validation cannot see the variables the cost
 * depends on; errors thrown here keep their code and HTTP status. The walk is one pass over a
 * document of at most `maxTokens` tokens.
 */
export function operationLimitsPlugin(limits: AbuseLimits, safelist?: Safelist): ApolloServerPlugin<GatewayContext> {
  const check = operationLimitsChecker(limits);
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, queryHash, request }) {
          if (safelist && !safelist.has(queryHash)) throw notInSafelist(queryHash);
          const first = operation ? check({ schema, document, operation, variables: request.variables }) : operationLimitErrors(limits, { schema, document, variables: request.variables })[0];
          if (first) throw first;
        },
      };
    },
  };
}
