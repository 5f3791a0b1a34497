import type { Connection } from 'mongoose';
import type { Logger } from '../logger';
import { registerDirectoryModels, type DirectoryModels } from './model';
import { createDirectorySync, type DirectorySync } from './sync';

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
  const sync = feed ? createDirectorySync({ models, ...feed, ...(logger ? { logger } : {}) }) : undefined;
  const find = async (ids: readonly string[]) =>
    new Set((await models.Directory.find({ _id: { $in: [...ids] } }, { _id: 1 }).lean<Array<{ _id: string }>>()).map((d) => d._id));
  return {
    models,
    ...(sync ? { sync } : {}),
    async known(ids) {
      const found = await find(ids);
      if (!sync || ids.every((id) => found.has(id))) return found;
      await sync.catchUp().catch((err: unknown) => logger?.warn({ err }, 'directory catch-up failed; answering from the copy as it is'));
      return find(ids);
    },
    appOptions: {
      ready: async () => ({ ok: true, details: { directory: sync ? await sync.status() : 'no feed configured (PERSONNEL_URL and a service token)' } }),
      ...(sync ? { background: sync } : {}),
    },
  };
}
