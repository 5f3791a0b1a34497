import type DataLoader from 'dataloader';
import { createEntityLoader, createGroupLoader } from '@civil-service/shared';

/**
 * Per-request dispatcher that makes "one query per collection per request" hold for a whole
 * GraphQL response, not just for one tick. DataLoader alone batches the keys requested in the same
 * tick; but a profile asks for state bodies both through positions (which wait for assignments)
 * and through rotations (which do not), so the bodies would arrive in two batches depending on
 * timing. Here every loader has a rank (its depth in the key graph: servants, then per-servant
 * lists, then positions, then bodies, then body aggregates) and a batch is dispatched only once no
 * loader of a lower rank is waiting or running, i.e. once every key it could still receive has
 * been asked for.
 */
export class BatchCoordinator {
  private readonly pending = new Map<number, Array<() => void>>();
  private readonly running = new Map<number, number>();
  private flushQueued = false;

  /** `batchScheduleFn` for a DataLoader of rank `rank`. */
  scheduler(rank: number): (dispatch: () => void) => void {
    return (dispatch) => {
      const queue = this.pending.get(rank) ?? [];
      queue.push(dispatch);
      this.pending.set(rank, queue);
      this.flushSoon();
    };
  }

  /** Wraps a batch function so the coordinator knows while it runs. */
  track<K, V>(rank: number, fn: (keys: readonly K[]) => Promise<V[]>): (keys: readonly K[]) => Promise<V[]> {
    return async (keys) => {
      this.running.set(rank, (this.running.get(rank) ?? 0) + 1);
      try {
        return await fn(keys);
      } finally {
        this.running.set(rank, (this.running.get(rank) ?? 1) - 1);
        this.flushSoon();
      }
    };
  }

  private flushSoon(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    // setImmediate runs after the microtasks and nextTicks that resolve the results just fetched,
    // so the loads those results trigger (children in the GraphQL tree) are already queued.
    setImmediate(() => {
      this.flushQueued = false;
      this.flush();
    });
  }

  private flush(): void {
    const ranks = [...new Set([...this.pending.keys(), ...this.running.keys()])].sort((a, b) => a - b);
    for (const rank of ranks) {
      const queue = this.pending.get(rank);
      if (queue?.length) {
        this.pending.set(rank, []);
        for (const dispatch of queue) dispatch();
      }
      // Anything of this rank still running may yet request keys of the higher ranks.
      if ((this.running.get(rank) ?? 0) > 0) return;
    }
  }
}

/** Loader of documents by id (as strings), in key order, null for missing ones; dispatched by rank. */
export function entityLoader<D>(
  coordinator: BatchCoordinator,
  rank: number,
  fetch: (ids: string[]) => Promise<D[]>,
  keyOf: (doc: D) => string,
): DataLoader<string, D | null> {
  return createEntityLoader<D>(coordinator.track(rank, (keys: readonly string[]) => fetch([...keys])), keyOf, {
    batchScheduleFn: coordinator.scheduler(rank),
  });
}

/** Loader of every document of each key (e.g. a servant's sanctions), [] when none; dispatched by rank. */
export function groupLoader<D>(
  coordinator: BatchCoordinator,
  rank: number,
  fetch: (keys: string[]) => Promise<D[]>,
  groupKeyOf: (doc: D) => string,
): DataLoader<string, D[]> {
  return createGroupLoader<D>(coordinator.track(rank, (keys: readonly string[]) => fetch([...keys])), groupKeyOf, {
    batchScheduleFn: coordinator.scheduler(rank),
  });
}
