import * as federation from '@apollo/federation-internals';
import type { CompositeType, FieldSelection, NamedType, Operation, Schema, Selection, SelectionSet, Type } from '@apollo/federation-internals';
import type { GraphQLError } from 'graphql';
// The module object itself, not a copy: executeQueryPlan calls `resultShaping_1.computeResponse`
// through it on every request, so replacing that property is how the gateway's shaping is chosen.
// (`import * as` gives a copy under tsx/esbuild.)
// eslint-disable-next-line @typescript-eslint/no-require-imports
import apolloShaping = require('@apollo/gateway/dist/resultShaping');
// eslint-disable-next-line @typescript-eslint/no-require-imports
import apolloPackage = require('@apollo/gateway/package.json');

/**
 * The gateway's last step, shaping the subgraphs' merged answer into the caller's (aliases, @skip
 * and @include, fragments, __typename, null propagation, leaf checks): @apollo/gateway's
 * `computeResponse` (dist/resultShaping.js, 2.14), rewritten to give the same answer and errors for
 * less CPU. Apollo's version decides @skip/@include again for every field of every object (two
 * directive lookups by name each), reaches federation-internals through re-export getters, and
 * allocates an argument object and a result object per value; on a workforce answer of 2,866
 * segments × 25 fields it was a third of the gateway's CPU. Here each selection set is read once
 * per request (skips decided, response names and leaf checks taken), then every object of the
 * answer is walked with those plans. `test/result-shaping.test.ts` holds both to the same outputs.
 */

export interface ComputeResponseArgs {
  operation: Operation;
  variables?: Record<string, unknown>;
  input: Record<string, unknown> | null | undefined;
  introspectionHandling: (introspectionSelection: FieldSelection) => unknown;
}

export interface ComputedResponse {
  data: Record<string, unknown> | null | undefined;
  errors: GraphQLError[];
}

// Read once: through the package index each call would go through a re-export getter. (Checks
// are written `if (!ok) throw new Error(...)`, as federation-internals' `assert` throws, so that no
// message closure is made per value on the way.)
const { isSubtype, ERRORS, typenameFieldName, Variable } = federation;

/** Names an input object (a plain object, or one without a prototype) can inherit. */
const INHERITED_NAMES: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));

const NULL_BUBBLE_UP = 1;
const OK = 0;

/**
 * GraphQL's Int and ID as numbers: what federation-internals' `isValidLeafValue` accepts, a finite
 * number whose `String()` matches /^-?(?:0|[1-9][0-9]*)$/. That is an integer printed without an
 * exponent, i.e. below 1e21 in magnitude; said so, without making a string per value.
 */
const integral = (value: unknown): boolean => typeof value === 'number' && Number.isInteger(value) && Math.abs(value) < 1e21;
const BUILT_IN_SCALARS = new Set(['Int', 'Float', 'String', 'Boolean', 'ID']);

/** How a value of one output type is shaped; made once per type object (types live as long as the schema). */
type TypePlan =
  | { kind: 'nonNull'; type: Type; of: TypePlan }
  | { kind: 'list'; type: Type; of: TypePlan }
  | { kind: 'composite'; type: CompositeType }
  | { kind: 'leaf'; type: Type; valid: (value: unknown) => boolean };

const typePlans = new WeakMap<Type, TypePlan>();

/** `isValidLeafValue` of federation-internals, decided per type once instead of per value. */
function leafCheck(type: Type): (value: unknown) => boolean {
  if (type.kind === 'ScalarType' && !BUILT_IN_SCALARS.has(type.name)) return () => true;
  const finite = (value: unknown): value is number => typeof value === 'number' && isFinite(value);
  if (type.kind === 'EnumType') return (value) => typeof value === 'string' && type.value(value) !== undefined;
  switch (type.kind === 'ScalarType' ? type.name : '') {
    case 'Boolean':
      return (value) => typeof value === 'boolean';
    case 'Int':
      return integral;
    case 'ID':
      return (value) => typeof value === 'string' || integral(value);
    case 'Float':
      return finite;
    case 'String':
      return (value) => typeof value === 'string';
    default:
      // Not a leaf type: federation-internals answers by the value's JS type, never true for these.
      return (value) => typeof value === 'string' && type.kind !== 'ScalarType';
  }
}

function typePlanOf(type: Type): TypePlan {
  let plan = typePlans.get(type);
  if (plan) return plan;
  switch (type.kind) {
    case 'NonNullType':
      plan = { kind: 'nonNull', type, of: typePlanOf(type.ofType) };
      break;
    case 'ListType':
      plan = { kind: 'list', type, of: typePlanOf(type.ofType) };
      break;
    case 'ObjectType':
    case 'InterfaceType':
    case 'UnionType':
      plan = { kind: 'composite', type };
      break;
    default:
      plan = { kind: 'leaf', type, valid: leafCheck(type) };
  }
  typePlans.set(type, plan);
  return plan;
}

/** One selection of a selection set, as shaping needs it. */
type Step =
  | { kind: 'typename'; responseName: string; inheritable: boolean }
  | { kind: 'introspection'; responseName: string; selection: FieldSelection }
  | {
      kind: 'field';
      responseName: string;
      plan: TypePlan;
      selectionSet: SelectionSet | undefined;
      /** A leaf field (nullable or not): its value check, for the common case taken without `update`. */
      leafValid: ((value: unknown) => boolean) | undefined;
      nullable: boolean;
      /** Whether an input could inherit this name (see INHERITED_NAMES). */
      inheritable: boolean;
    }
  | { kind: 'fragment'; typeCondition: CompositeType | undefined; selectionSet: SelectionSet };

/**
 * The caller's objects. Apollo makes them with `Object.create(null)` so that a response name such
 * as `constructor` finds nothing inherited; V8 keeps such objects as hash tables, and building
 * thousands of them (each rehashed as its fields are added) was most of the memory the gateway
 * allocated per workforce answer. Instances of a class whose prototype has no prototype and no
 * properties inherit nothing either, and are ordinary fast objects: 4.5–8 ms → 0.8–1 ms to build
 * 2,900 of 25 fields, and 5.5 → 3 ms to stringify (plain Node).
 */
class OutputObject {}
Object.setPrototypeOf(OutputObject.prototype, null);
delete (OutputObject.prototype as { constructor?: unknown }).constructor;
const newOutputObject = () => new OutputObject() as Record<string, unknown>;

/** A value shaped, with what Apollo's `updateOutputValue` reports beside it. */
interface Shaped {
  updated: unknown;
  isInvalid: boolean;
  hasErrors: boolean;
}

class Shaper {
  readonly errors: GraphQLError[] = [];
  private readonly steps = new Map<SelectionSet, Step[]>();
  private readonly conditions = new Map<CompositeType, Map<string | CompositeType, boolean>>();
  /** Reused by every `update`: its fields are read right after each call. */
  private readonly result: Shaped = { updated: undefined, isInvalid: false, hasErrors: false };

  constructor(
    private readonly schema: Schema,
    private readonly variables: Record<string, unknown>,
    private readonly introspectionHandling: (selection: FieldSelection) => unknown,
  ) {}

  /** The `if` of an @skip or @include: a literal, or a variable's value (checked). */
  private ifValue(directive: { arguments(): { if?: unknown } }): boolean {
    const ifArg = directive.arguments().if;
    if (ifArg instanceof Variable) {
      const value = this.variables[ifArg.name];
      if (typeof value !== 'boolean') throw new Error(`Unexpected value ${String(value)} for variable ${String(ifArg)} of ${String(directive)}`);
      return value;
    }
    return ifArg as boolean;
  }

  private skipped(selection: Selection): boolean {
    const element = selection.element;
    // Most selections carry no directive: nothing to look up.
    if (element.appliedDirectives.length === 0) return false;
    const skip = element.appliedDirectivesOf(this.schema.skipDirective())[0];
    const include = element.appliedDirectivesOf(this.schema.includeDirective())[0];
    return (skip !== undefined && this.ifValue(skip)) || (include !== undefined && !this.ifValue(include));
  }

  /** A selection set's steps, its skipped selections left out: read once per request. */
  private stepsOf(selectionSet: SelectionSet): Step[] {
    let steps = this.steps.get(selectionSet);
    if (steps) return steps;
    steps = [];
    for (const selection of selectionSet.selections()) {
      if (this.skipped(selection)) continue;
      if (selection.kind === 'FieldSelection') {
        const field = selection.element;
        const responseName = field.responseName();
        if (field.definition.isSchemaIntrospectionField()) steps.push({ kind: 'introspection', responseName, selection });
        else if (field.name === typenameFieldName) steps.push({ kind: 'typename', responseName, inheritable: INHERITED_NAMES.has(responseName) });
        else {
          const plan = typePlanOf(field.definition.type!);
          const inner = plan.kind === 'nonNull' ? plan.of : plan;
          steps.push({ kind: 'field', responseName, plan, selectionSet: selection.selectionSet, leafValid: inner.kind === 'leaf' ? inner.valid : undefined, nullable: plan.kind !== 'nonNull', inheritable: INHERITED_NAMES.has(responseName) });
        }
      } else {
        steps.push({ kind: 'fragment', typeCondition: selection.element.typeCondition, selectionSet: selection.selectionSet });
      }
    }
    this.steps.set(selectionSet, steps);
    return steps;
  }

  private typeConditionApplies(typeCondition: CompositeType | undefined, typename: string | undefined, parentType: CompositeType): boolean {
    if (!typeCondition) return true;
    let known = this.conditions.get(typeCondition);
    if (!known) this.conditions.set(typeCondition, (known = new Map()));
    const against = typename || parentType;
    let applies = known.get(against);
    if (applies === undefined) {
      if (typename) {
        const type = this.schema.type(typename);
        applies = !!type && isSubtype(typeCondition, type);
      } else {
        applies = isSubtype(typeCondition, parentType);
      }
      known.set(against, applies);
    }
    return applies;
  }

  applySelectionSet(input: Record<string, unknown>, selectionSet: SelectionSet, output: Record<string, unknown>, path: Array<string | number>, parentType: CompositeType): number {
    for (const step of this.stepsOf(selectionSet)) {
      if (step.kind === 'fragment') {
        const typename = input[typenameFieldName];
        if (typename && typeof typename !== 'string') throw new Error(`Got unexpected value for __typename: ${String(typename)}`);
        if (this.typeConditionApplies(step.typeCondition, typename as string | undefined, parentType)) {
          if (this.applySelectionSet(input, step.selectionSet, output, path, step.typeCondition ?? parentType) === NULL_BUBBLE_UP) return NULL_BUBBLE_UP;
        }
        continue;
      }
      const responseName = step.responseName;
      const outputValue = output[responseName];
      if (step.kind === 'introspection') {
        if (outputValue === undefined) output[responseName] = this.introspectionHandling(step.selection);
        continue;
      }
      // Only a name Object.prototype has (`constructor`, `toString`…) can be found without being the input's own.
      let inputValue = step.inheritable ? (Object.prototype.hasOwnProperty.call(input, responseName) ? (input[responseName] ?? null) : null) : (input[responseName] ?? null);
      if (step.kind === 'typename') {
        if (outputValue === undefined) {
          if (inputValue === null && responseName !== typenameFieldName) inputValue = input[typenameFieldName] ?? null;
          const type: NamedType | CompositeType = typeof inputValue === 'string' ? (this.schema.type(inputValue) ?? parentType) : parentType;
          if (type.kind !== 'ObjectType') return NULL_BUBBLE_UP;
          output[responseName] = type.name;
        }
        continue;
      }
      // Most fields of a large answer are leaves with a valid value or a null where null is
      // allowed: what `update` would give for them, without its call and bookkeeping.
      if (step.leafValid !== undefined && outputValue === undefined && (inputValue === null ? step.nullable : step.leafValid(inputValue))) {
        output[responseName] = inputValue;
        continue;
      }
      path.push(responseName);
      const shaped = this.update(outputValue, step.plan, inputValue, step.selectionSet, path, parentType);
      output[responseName] = shaped.updated;
      path.pop();
      if (shaped.isInvalid) return NULL_BUBBLE_UP;
    }
    return OK;
  }

  private done(updated: unknown, isInvalid: boolean, hasErrors: boolean): Shaped {
    const result = this.result;
    result.updated = updated;
    result.isInvalid = isInvalid;
    result.hasErrors = hasErrors;
    return result;
  }

  private invalidGraphQL(message: string, path: Array<string | number>): void {
    this.errors.push(ERRORS.INVALID_GRAPHQL.err(message, { path: Array.from(path) }));
  }

  /** Apollo's `updateOutputValue`: the same outcomes, errors and messages. */
  private update(outputValue: unknown, plan: TypePlan, inputValue: unknown, selectionSet: SelectionSet | undefined, path: Array<string | number>, parentType: CompositeType): Shaped {
    if (inputValue === undefined) throw new Error('Should not pass undefined for `inputValue` to this method');
    if (outputValue === null || (outputValue !== undefined && !selectionSet)) return this.done(outputValue, false, false);
    switch (plan.kind) {
      case 'nonNull': {
        const inner = this.update(outputValue, plan.of, inputValue, selectionSet, path, parentType);
        if (inner.updated === null) {
          if (!inner.hasErrors) this.invalidGraphQL(`Cannot return null for non-nullable ${lastElementDescription(path, plan.of.type, parentType)}.`, path);
          return this.done(null, true, true);
        }
        return this.done(inner.updated, false, false);
      }
      case 'list': {
        if (inputValue === null) return this.done(null, false, false);
        if (!Array.isArray(inputValue)) throw new Error(`Invalid non-list value ${String(inputValue)} returned by subgraph for list type ${String(plan.type)}`);
        if (outputValue !== undefined && !Array.isArray(outputValue)) throw new Error(`Invalid non-list value ${String(outputValue)} returned by subgraph for list type ${String(plan.type)}`);
        const inputList = inputValue as unknown[];
        const outputList = outputValue as unknown[] | undefined;
        if (outputList !== undefined && inputList.length !== outputList.length) throw new Error(`[${String(inputList)}].length (${inputList.length}) !== [${String(outputList)}].length (${outputList.length})`);
        let shouldNullify = false;
        let hasErrors = false;
        const updated = new Array<unknown>(inputList.length);
        for (let i = 0; i < inputList.length; i++) {
          path.push(i);
          const element = this.update(outputList === undefined ? undefined : outputList[i], plan.of, inputList[i], selectionSet, path, parentType);
          path.pop();
          updated[i] = element.updated;
          shouldNullify ||= element.isInvalid;
          hasErrors ||= element.hasErrors;
        }
        return this.done(shouldNullify ? null : updated, false, hasErrors);
      }
      case 'composite': {
        if (inputValue === null) return this.done(null, false, false);
        if (!selectionSet) throw new Error(`Invalid empty selection set for composite type ${String(plan.type)}`);
        if (typeof inputValue !== 'object') throw new Error(`Invalid non-object value ${String(inputValue)} returned by subgraph for composite type ${String(plan.type)}`);
        if (outputValue !== undefined && typeof outputValue !== 'object') throw new Error(`Invalid non-object value ${String(inputValue)} returned by subgraph for composite type ${String(plan.type)}`);
        const input = inputValue as Record<string, unknown>;
        const inputTypename = input[typenameFieldName];
        if (inputTypename !== undefined && typeof inputTypename !== 'string') throw new Error(`Invalid non-string value ${String(inputTypename)} for __typename at ${String(path)}`);
        let objectType: CompositeType = plan.type;
        if (inputTypename) {
          const named = this.schema.type(inputTypename as string);
          if (!named || (named.kind !== 'ObjectType' && named.kind !== 'InterfaceType' && named.kind !== 'UnionType')) {
            this.invalidGraphQL(`Invalid __typename found for object at ${lastElementDescription(path, plan.type, parentType)}.`, path);
            return this.done(null, false, true);
          }
          objectType = named;
        }
        const output = (outputValue ?? newOutputObject()) as Record<string, unknown>;
        const bubbled = this.applySelectionSet(input, selectionSet, output, path, objectType) === NULL_BUBBLE_UP;
        return this.done(bubbled ? null : output, false, bubbled);
      }
      case 'leaf': {
        if (inputValue === null) return this.done(null, false, false);
        if (outputValue !== undefined) throw new Error(`Excepted output to be undefined but got ${String(plan.type)} for type ${String(plan.type)}`);
        const valid = plan.valid(inputValue);
        if (!valid) this.invalidGraphQL(`Invalid value found for ${lastElementDescription(path, plan.type, parentType)}.`, path);
        return this.done(valid ? inputValue : null, false, !valid);
      }
    }
  }
}

function lastElementDescription(path: ReadonlyArray<string | number>, currentType: Type, parentType: CompositeType): string {
  const element = path[path.length - 1];
  if (element === undefined) throw new Error('Should not have been called on an empty path');
  return typeof element === 'string' ? `field ${String(parentType)}.${element}` : `array element of type ${String(currentType)} at index ${element}`;
}

/** Drop-in for @apollo/gateway's `computeResponse`: same arguments, same answer and errors. */
export function computeResponse({ operation, variables, input, introspectionHandling }: ComputeResponseArgs): ComputedResponse {
  if (!input) return { data: input, errors: [] };
  const schema = operation.schema();
  const shaper = new Shaper(schema, { __proto__: null, ...operation.collectDefaultedVariableValues(), ...variables } as Record<string, unknown>, introspectionHandling);
  const data = newOutputObject();
  const rootType = schema.schemaDefinition.rootType(operation.rootKind)!;
  const res = shaper.applySelectionSet(input, operation.selectionSet, data, [], rootType);
  return { data: res === NULL_BUBBLE_UP ? null : data, errors: shaper.errors };
}

export type ResultShaping = 'fast' | 'apollo';

/** The @apollo/gateway releases `computeResponse` above was written against and tested with. */
const SHAPING_TESTED_WITH = /^2\.14\./;

const apolloComputeResponse = apolloShaping.computeResponse;

/**
 * Chooses the shaping every gateway of this process uses (it is module state of @apollo/gateway).
 * `fast` only on the @apollo/gateway line it was tested against; otherwise Apollo's own is kept and
 * the answer says so, for the caller to log.
 */
export function useResultShaping(mode: ResultShaping): ResultShaping {
  const chosen = mode === 'fast' && SHAPING_TESTED_WITH.test(apolloPackage.version) ? 'fast' : 'apollo';
  Object.assign(apolloShaping, { computeResponse: chosen === 'fast' ? computeResponse : apolloComputeResponse });
  return chosen;
}
