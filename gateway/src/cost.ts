import {
  GraphQLError,
  Kind,
  getNamedType,
  getNullableType,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationRule,
} from 'graphql';
import { ErrorCode } from '@civil-service/shared';

/**
 * How lists are counted. `first` follows the contract (20 when absent, never more than 100, as the
 * subgraphs clamp it); a list without `first` (a servant's assignments, the state bodies) has no
 * size the document can tell, so it counts as a typical one.
 */
export const COST_MODEL = { defaultPageSize: 20, maxPageSize: 100, assumedListSize: 10 } as const;

export interface CostOptions {
  /** The request's variables: a `first` given as `$first` counts by its value. */
  variables?: Record<string, unknown>;
}

/**
 * The work an operation asks for, the way Apollo's demand control counts it: every object
 * (composite) field costs 1 per time it is resolved, leaf fields nothing, and a list multiplies
 * what it holds by its size. A field that takes `first` is sized by it: a list with `first` holds
 * that many items; a connection with `first` (an object) costs 1 and its own lists (`edges`) hold
 * that many. Introspection and `__typename` cost nothing.
 */
export function operationCost(schema: GraphQLSchema, operation: OperationDefinitionNode, fragments: Record<string, FragmentDefinitionNode>, { variables = {} }: CostOptions = {}): number {
  // A fragment spread many times, or spreading others, is costed once per page size: without the
  // memo a few nested fragments spread twice each would take exponential time to cost.
  const memo = new Map<string, number>();
  const visiting = new Set<string>();

  const pageSizeOf = (field: FieldNode, takesFirst: boolean): number | undefined => {
    const arg = field.arguments?.find((a) => a.name.value === 'first');
    if (!arg && !takesFirst) return undefined;
    let value: unknown = null;
    if (arg?.value.kind === Kind.INT) value = Number(arg.value.value);
    else if (arg?.value.kind === Kind.VARIABLE) value = variables[arg.value.name.value];
    const n = typeof value === 'number' && Number.isFinite(value) ? value : COST_MODEL.defaultPageSize;
    return Math.max(0, Math.min(COST_MODEL.maxPageSize, Math.floor(n)));
  };

  const fieldCost = (field: FieldNode, parent: GraphQLNamedType | undefined, page: number | undefined): number => {
    if (field.name.value.startsWith('__')) return 0;
    const def = parent && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[field.name.value] : undefined;
    // Validation has run, so every field is known at run time; an unknown one appears only when a
    // document is costed against an older schema (tests), and counts as a plain object field.
    const named = def ? getNamedType(def.type) : undefined;
    const composite = named ? isCompositeType(named) : field.selectionSet !== undefined;
    const isList = def ? isListType(getNullableType(def.type)) : false;
    const slice = pageSizeOf(field, def?.args.some((a) => a.name === 'first') ?? false);
    const children = field.selectionSet ? setCost(field.selectionSet, named, isList ? undefined : slice) : 0;
    const perItem = (composite ? 1 : 0) + children;
    if (!isList) return perItem;
    return (slice ?? page ?? COST_MODEL.assumedListSize) * perItem;
  };

  const setCost = (set: SelectionSetNode, parent: GraphQLNamedType | undefined, page: number | undefined): number => {
    let total = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) total += fieldCost(selection, parent, page);
      else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) ?? undefined : parent;
        total += setCost(selection.selectionSet, type, page);
      } else {
        const name = selection.name.value;
        const key = `${name}/${page ?? ''}`;
        const fragment = fragments[name];
        if (!fragment || visiting.has(name)) continue;
        if (!memo.has(key)) {
          visiting.add(name);
          memo.set(key, setCost(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value) ?? undefined, page));
          visiting.delete(name);
        }
        total += memo.get(key)!;
      }
    }
    return total;
  };

  const root = operation.operation === 'mutation' ? schema.getMutationType() : operation.operation === 'subscription' ? schema.getSubscriptionType() : schema.getQueryType();
  return setCost(operation.selectionSet, root ?? undefined, undefined);
}

export interface CostLimitOptions extends CostOptions {
  maxCost: number;
  /** Only this operation is costed (the one the request executes); otherwise every one is. */
  operation?: OperationDefinitionNode;
}

/**
 * Refuses an operation whose cost (see `operationCost`) is over `maxCost`, with MAX_COST_EXCEEDED
 * naming the limit and the cost. A rule per request rather than one in Apollo's validation,
 * because the cost depends on the variables, which validation does not see.
 */
export function costLimitRule({ maxCost, operation, variables }: CostLimitOptions): ValidationRule {
  return (context) => {
    const fragments = fragmentsOf(context.getDocument());
    return {
      OperationDefinition(node) {
        if (operation && node !== operation) return;
        const refusal = costRefusal(maxCost, node, operationCost(context.getSchema(), node, fragments, { variables }));
        if (refusal) context.reportError(refusal);
      },
    };
  };
}

/** A document's fragments by name, as `operationCost` takes them. */
export function fragmentsOf(document: DocumentNode): Record<string, FragmentDefinitionNode> {
  return Object.fromEntries(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
}

/** MAX_COST_EXCEEDED naming the limit and the cost, or undefined within the budget. */
export function costRefusal(maxCost: number, operation: OperationDefinitionNode, cost: number): GraphQLError | undefined {
  if (cost <= maxCost) return undefined;
  const name = operation.name ? ` ${operation.name.value}` : '';
  return new GraphQLError(
    `Query cost limit of ${maxCost} exceeded: operation${name} costs ${cost} (each object field 1, lists by their \`first\`, at most ${COST_MODEL.maxPageSize}; ask for smaller pages or fewer nested lists)`,
    { nodes: [operation], extensions: { code: ErrorCode.MAX_COST_EXCEEDED, limit: maxCost, cost, http: { status: 400 } } },
  );
}
