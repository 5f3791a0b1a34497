import type DataLoader from 'dataloader';
import type { AuditDraft } from './audit-writer';
import type { Caller, Category } from './policy';

/** What one request has read that must be audited: one entry per servant, however many fields. */
export class AuditCollector {
  private readonly byServant = new Map<string, { categories: Set<string>; fields: Set<string> }>();

  record(servantId: string, categories: readonly Category[], field: string): void {
    let entry = this.byServant.get(servantId);
    if (!entry) {
      entry = { categories: new Set(), fields: new Set() };
      this.byServant.set(servantId, entry);
    }
    for (const c of categories) entry.categories.add(c);
    entry.fields.add(field);
  }

  get size(): number {
    return this.byServant.size;
  }

  drafts(base: Omit<AuditDraft, 'servantId' | 'categories' | 'fields'>): AuditDraft[] {
    return [...this.byServant].map(([servantId, { categories, fields }]) => ({
      ...base,
      servantId,
      categories: [...categories].sort(),
      fields: [...fields].sort(),
    }));
  }
}

/** The authentication and audit state of one request. */
export interface RequestAuth {
  caller: Caller;
  requestId: string;
  operationName: string | null;
  at: Date;
  audit: AuditCollector;
  /** Per-request loader of servants' state body chains, made on first need. */
  bodyChains?: DataLoader<string, readonly string[] | null>;
}

/**
 * Keyed by the request's context object, so the subgraphs' own context types need not change:
 * the plugin attaches the state, the wrapped resolvers find it from the context they are given.
 */
const states = new WeakMap<object, RequestAuth>();

export function attachRequestAuth(context: object, state: RequestAuth): void {
  states.set(context, state);
}

export function requestAuthOf(context: unknown): RequestAuth | undefined {
  return typeof context === 'object' && context !== null ? states.get(context) : undefined;
}

/** The caller of the request a resolver runs in (for resolvers that need it, e.g. hr writes). */
export function callerOf(context: unknown): Caller | undefined {
  return requestAuthOf(context)?.caller;
}
