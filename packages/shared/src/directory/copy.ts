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
  return {
    models,
    ...(sync ? { sync } : {}),
    appOptions: {
      ready: async () => ({ ok: true, details: { directory: sync ? await sync.status() : 'no feed configured (PERSONNEL_URL and a service token)' } }),
      ...(sync ? { background: sync } : {}),
    },
  };
}
