import DataLoader from 'dataloader';
import {
  defaultFieldResolver,
  isNonNullType,
  isObjectType,
  type GraphQLField,
  type GraphQLFieldResolver,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { authenticationError, forbiddenField } from './auth-errors';
import { AUTH_DIRECTIVE_NAMES, fieldMarksOf } from './directives';
import { AUDITED, decide, needsBodyChain, needsServant, type FieldMarks, type Target } from './policy';
import { RateLimiter } from './rate-limit';
import { requestAuthOf, type RequestAuth } from './request-state';

type Args = Record<string, unknown>;
type Resolver = GraphQLFieldResolver<unknown, unknown, Args>;

export interface AuthPolicyOptions {
  /** Whose record `parent` is, for a field of `typeName`. Default: `id`/`_id` of a CivilServant, else `servantId`. */
  servantIdOf?: (typeName: string, parent: unknown) => string | null | undefined;
  /**
   * For hr's scope: each servant's current state body followed by its ancestors (null when not
   * in service), in the order of `servantIds`. Batched per request. Without it, hr is refused
   * every scoped field of this subgraph (fail closed).
   */
  bodyChains?: (servantIds: readonly string[], context: unknown) => Promise<ReadonlyArray<readonly string[] | null>>;
  /** For hr's scoped writes: whose record, and in which body chain, a mutation writes. */
  writeTargets?: Record<string, (args: Args, context: unknown) => Promise<Target> | Target>;
  rateLimiter?: RateLimiter;
}

export interface MarkedField {
  path: string;
  categories: readonly string[];
  /** A denied non-null field nulls its parent too: the rest of that object is lost. */
  nonNull: boolean;
}

/** Default: a CivilServant is identified by its id; other servant-owned types carry servantId. */
export function defaultServantIdOf(typeName: string, parent: unknown): string | undefined {
  if (typeof parent !== 'object' || parent === null) return undefined;
  const p = parent as { id?: unknown; _id?: unknown; servantId?: unknown };
  const value = typeName === 'CivilServant' ? (p.id ?? p._id) : p.servantId;
  return value === undefined || value === null ? undefined : String(value);
}

const REFERENCE: FieldMarks = { categories: ['reference'] };

/** The marks a field is checked against; null: not checked (its parent was). */
function effectiveMarks(schema: GraphQLSchema, type: GraphQLObjectType, field: GraphQLField<unknown, unknown>): FieldMarks | null {
  const marks = fieldMarksOf(type, field);
  const path = `${type.name}.${field.name}`;
  if (type === schema.getMutationType()) {
    if (!marks?.categories.some((c) => c.startsWith('write:'))) throw new Error(`${path}: a mutation needs a @writeAccess(area: …) mark`);
    return marks;
  }
  if (type === schema.getQueryType()) {
    // The SDL, for tooling; it is no one's data.
    if (field.name === '_service') return null;
    if (marks?.categories.some((c) => AUDITED.has(c))) {
      throw new Error(`${path}: mark personal and special-category fields on the servant's type, not on a root field`);
    }
    return marks ?? REFERENCE;
  }
  return marks;
}

/**
 * Wraps, in place, the resolver of every field the policy covers: unmarked root query fields
 * (reference data), every mutation (each must say what it writes), and every field marked with
 * the auth directives. A refused field resolves to null with a FORBIDDEN error at its path; the
 * rest of the answer is unaffected. Allowed reads of audited categories are recorded in the
 * request's audit collector, which the auth plugin writes before the response leaves.
 */
export function applyAuthPolicy(schema: GraphQLSchema, options: AuthPolicyOptions = {}): MarkedField[] {
  for (const name of AUTH_DIRECTIVE_NAMES) {
    if (!schema.getDirective(name)) throw new Error(`the schema does not declare @${name}: add AUTH_DIRECTIVES_SDL to the subgraph SDL`);
  }
  const servantIdOf = options.servantIdOf ?? defaultServantIdOf;
  const limiter = options.rateLimiter ?? new RateLimiter();
  const marked: MarkedField[] = [];
  const rootTypes = new Set([schema.getQueryType(), schema.getMutationType()]);

  function loaderOf(state: RequestAuth, context: unknown) {
    const load = options.bodyChains;
    if (!load) return undefined;
    state.bodyChains ??= new DataLoader((ids: readonly string[]) => load(ids, context), { cache: true });
    return state.bodyChains;
  }

  function bodyChainOf(state: RequestAuth, servantId: string, context: unknown): Promise<readonly string[] | null> {
    return loaderOf(state, context)?.load(servantId) ?? Promise.resolve(null);
  }

  function wrap(type: GraphQLObjectType, field: GraphQLField<unknown, unknown, Args>, marks: FieldMarks): Resolver {
    const path = `${type.name}.${field.name}`;
    const resolve: Resolver = field.resolve ?? defaultFieldResolver;
    const isMutation = type === schema.getMutationType();
    const isRoot = rootTypes.has(type);
    const writeTarget = options.writeTargets?.[field.name];

    return (parent, args, context, info) => {
      const state = requestAuthOf(context);
      if (!state) throw authenticationError('Authentication required');
      const { caller } = state;
      const proceed = (target: Target) => {
        const decision = decide(caller, marks, target);
        if (!decision.allow) throw forbiddenField(path, decision.reason);
        if (decision.rateLimit) {
          const wait = limiter.hit(`${path}:${caller.sub}`, decision.rateLimit.limit, decision.rateLimit.windowSeconds);
          if (wait > 0) throw forbiddenField(path, `rate limit reached; retry in ${wait} s`);
        }
        if (decision.audit.length > 0) {
          // An access that cannot be attributed to a servant cannot be audited, so it is not given.
          if (!target.servantId) throw forbiddenField(path, 'whose data this is cannot be told, so it cannot be audited');
          state.audit.record(target.servantId, decision.audit, path);
        }
        return resolve(parent, args, context, info);
      };
      if (isMutation) {
        if (writeTarget && (needsBodyChain(caller, marks) || needsServant(caller, marks))) {
          return Promise.resolve(writeTarget(args, context)).then((target) => {
            // The servant's fields in this mutation's answer are judged by the scope the write was
            // allowed in: a servant hr has just dismissed is out of service, but the answer is theirs.
            if (target.servantId && target.bodyChain) loaderOf(state, context)?.prime(target.servantId, target.bodyChain);
            return proceed(target);
          });
        }
        return proceed({});
      }
      if (isRoot) return proceed({ entry: true });
      if (!needsServant(caller, marks)) return proceed({});
      const servantId = servantIdOf(type.name, parent) ?? null;
      if (servantId === null || !needsBodyChain(caller, marks)) return proceed({ servantId });
      return bodyChainOf(state, servantId, context).then((bodyChain) => proceed({ servantId, bodyChain }));
    };
  }

  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      const marks = effectiveMarks(schema, type, field);
      if (!marks) continue;
      field.resolve = wrap(type, field, marks);
      marked.push({ path: `${type.name}.${field.name}`, categories: marks.categories, nonNull: isNonNullType(field.type) });
    }
  }
  return marked;
}
