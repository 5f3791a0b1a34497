import type { Connection } from 'mongoose';
import type { Logger } from '../logger';
import type { AuthPolicyOptions } from '../auth/transform';
import { placementOf, type Placement } from '../analytics/current';
import { ServantFacts, type ServantFactsOptions, type ServantRecord } from '../facts/servant-facts';
import { registerDirectoryModels, type DirectoryEntry, type DirectoryModels } from './model';
import { createDirectorySync, DIRECTORY_SYNC_STATE_ID, type DirectorySync } from './sync';

type BodyChains = NonNullable<AuthPolicyOptions['bodyChains']>;

/** Where a subgraph reads personnel's directory feed, and the service token it reads with. */
export interface DirectoryFeedOptions {
  url: string;
  serviceToken: () => Promise<string>;
  intervalMs?: number;
  pageSize?: number;
}

export interface DirectoryCopy {
  models: DirectoryModels;
  /** Undefined without a feed (unit tests fill the copy themselves). */
  sync?: DirectorySync;
  /**
   * Which of `ids` the copy knows. An id it does not know yet makes it catch up with personnel
   * once before answering, so a servant hired a moment ago is not refused (read-your-writes).
   */
  known(ids: readonly string[]): Promise<Set<string>>;
  /**
   * hr's scope from the copy (each servant's current body and its ancestors), asking `fallback`
   * (personnel over HTTP) only for servants the copy still does not know after catching up. With
   * no feed, `fallback` as it is (unit tests give their own).
   */
  bodyChains(fallback?: BodyChains): BodyChains | undefined;
  /**
   * The highest directory number up to which every entry is in the copy: the saved cursor (a
   * page is written unordered, so a higher number may be in before a lower one); without a feed,
   * the newest entry's number (tests fill the copy themselves).
   */
  appliedHead(): Promise<number>;
  /** `listener` runs after each page the feed applies. */
  onApplied(listener: () => void): void;
  /** For createSubgraphApp: `/ready` reports the copy's lag; the sync runs while the subgraph serves. */
  appOptions: {
    ready: () => Promise<{ ok: boolean; details?: Record<string, unknown> }>;
    background?: DirectorySync;
  };
}

/**
 * A read-only copy of personnel's servant directory in a subgraph's own database (training,
 * evaluation, services-quality): the subgraph groups and filters its own facts with it, and
 * refuses writes about servants it does not know. `/ready` shows how far it lags.
 */
export function directoryCopyFor(db: Connection, feed: DirectoryFeedOptions | undefined, logger?: Logger): DirectoryCopy {
  const models = registerDirectoryModels(db);
  const listeners: Array<() => void> = [];
  const onApplied = () => {
    for (const listener of listeners) listener();
  };
  const sync = feed ? createDirectorySync({ models, ...feed, onApplied, ...(logger ? { logger } : {}) }) : undefined;
  const chainsOf = async (ids: readonly string[]) =>
    new Map((await models.Directory.find({ _id: { $in: [...ids] } }, { bodyChain: 1 }).lean<Array<{ _id: string; bodyChain: string[] }>>()).map((d) => [d._id, d.bodyChain]));
  /** The copy's entries for `ids`, caught up once with personnel when some are missing. */
  const lookUp = async (ids: readonly string[]) => {
    const found = await chainsOf(ids);
    if (!sync || ids.every((id) => found.has(id))) return found;
    await sync.catchUp().catch((err: unknown) => logger?.warn({ err }, 'directory catch-up failed; answering from the copy as it is'));
    return chainsOf(ids);
  };
  return {
    models,
    ...(sync ? { sync } : {}),
    async known(ids) {
      return new Set((await lookUp(ids)).keys());
    },
    bodyChains(fallback) {
      if (!sync) return fallback;
      return async (ids, context) => {
        const found = await lookUp(ids);
        const missing = ids.filter((id) => !found.has(id));
        const asked = missing.length > 0 && fallback ? await fallback(missing, context) : [];
        const remote = new Map(missing.map((id, i) => [id, asked[i] ?? null]));
        return ids.map((id) => {
          const chain = found.get(id);
          // An empty chain: the servant is known and not in service, so no hr's scope holds them.
          if (chain) return chain.length > 0 ? chain : null;
          return remote.get(id) ?? null;
        });
      };
    },
    async appliedHead() {
      if (sync) return (await models.DirectorySyncState.findById(DIRECTORY_SYNC_STATE_ID, { cursor: 1 }).lean())?.cursor ?? 0;
      return (await models.Directory.findOne({}, { seq: 1 }).sort({ seq: -1 }).lean())?.seq ?? 0;
    },
    onApplied(listener) {
      listeners.push(listener);
    },
    appOptions: {
      ready: async () => ({ ok: true, details: { directory: sync ? await sync.status() : 'no feed configured (PERSONNEL_URL and a service token)' } }),
      ...(sync ? { background: sync } : {}),
    },
  };
}

/** What every fact store keeps about a servant in service: who, where now, and hr's scope. */
export interface ServantScope {
  id: string;
  placement: Placement;
  stateBodyId: string;
  bodyChain: string[];
}

/** The scope of an entry; null when the servant is not in service (no alert, no segment today). */
export function servantScopeOf(entry: DirectoryEntry): ServantScope | null {
  const placement = placementOf(entry);
  return placement ? { id: entry._id, placement, stateBodyId: placement.stateBodyId, bodyChain: entry.bodyChain } : null;
}

/**
 * Per-servant facts over a subgraph's directory copy, read up to the copy's applied cursor and
 * caught up in the background after each page the feed applies (so a question after a large
 * catch-up is not the one that waits). `lifecycle` is for the subgraph app: `prepare` reads them at
 * start without holding up serving (seconds at 100,000 servants); `factsCaughtUp` resolves once they
 * are current (tests count commands after it).
 */
export function copyFacts<R extends ServantRecord, F>(
  db: Connection,
  directory: DirectoryCopy,
  options: Pick<ServantFactsOptions<R, F>, 'records' | 'build' | 'logger'>,
): { store: ServantFacts<R, F>; lifecycle: { prepare: () => Promise<void>; factsCaughtUp: () => Promise<void> } } {
  const store = new ServantFacts<R, F>({ db, Directory: directory.models.Directory, directoryHead: () => directory.appliedHead(), ...options });
  directory.onApplied(() => store.refresh());
  return { store, lifecycle: { prepare: async () => store.refresh(), factsCaughtUp: () => store.catchUp() } };
}
