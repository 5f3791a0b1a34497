import type { Logger } from '../logger';
import type { DirectoryEntry, DirectoryModels, DirectoryPeriod } from './model';

/**
 * Keeps a subgraph's copy of the servant directory in step with personnel's, through personnel's
 * change feed (`servantDirectoryChanges`, a service-only field): entries after a cursor, in
 * sequence order, each the servant's whole current snapshot. personnel numbers changes inside the
 * transaction that makes them, so a number is never seen before a smaller one; applying a page is a
 * replace by servant id, so a page applied twice (a crash before the cursor was saved) changes
 * nothing; the cursor lives in this subgraph's database, so a restart resumes where it stopped.
 */

const FEED_QUERY = /* GraphQL */ `
  query ServantDirectoryChanges($after: Int!, $first: Int!) {
    servantDirectoryChanges(after: $after, first: $first) {
      head
      entries {
        servantId seq changedAt status gender birthYear entryDate
        stateBodyId stateBodyLevel region corps categoryCode bodyChain
        periods { from to positionId stateBodyId stateBodyLevel region corps categoryCode managerial rotationSubject }
      }
    }
  }
`;

/** One entry as the feed sends it: the stored entry with its dates as strings and its id named. */
export type FeedEntry = Omit<DirectoryEntry, '_id' | 'changedAt' | 'entryDate' | 'periods'> & {
  servantId: string;
  changedAt: string;
  entryDate: string | null;
  periods: Array<Omit<DirectoryPeriod, 'from' | 'to'> & { from: string; to: string | null }>;
};

export interface FeedPage {
  head: number;
  entries: FeedEntry[];
}

export const FEED_PAGE_MAX = 5000;

/** The sync state document's id (its `cursor`: every entry up to it is in the copy). */
export const DIRECTORY_SYNC_STATE_ID = 'personnel';
const STATE_ID = DIRECTORY_SYNC_STATE_ID;
const RETRY_FIRST_MS = 250;
const RETRY_MAX_MS = 10_000;

export function entryFromFeed(e: FeedEntry): DirectoryEntry {
  const day = (s: string) => new Date(`${s.slice(0, 10)}T00:00:00.000Z`);
  return {
    _id: e.servantId,
    seq: e.seq,
    changedAt: new Date(e.changedAt),
    status: e.status,
    gender: e.gender,
    birthYear: e.birthYear,
    entryDate: e.entryDate ? day(e.entryDate) : null,
    stateBodyId: e.stateBodyId,
    stateBodyLevel: e.stateBodyLevel,
    region: e.region,
    corps: e.corps,
    categoryCode: e.categoryCode,
    bodyChain: e.bodyChain,
    periods: e.periods.map((p) => ({ ...p, from: day(p.from), to: p.to ? day(p.to) : null })),
  };
}

export interface DirectorySyncOptions {
  models: DirectoryModels;
  /** personnel's GraphQL endpoint. */
  url: string;
  serviceToken: () => Promise<string>;
  pageSize?: number;
  /** Pause between polls once caught up. */
  intervalMs?: number;
  timeoutMs?: number;
  logger?: Logger;
  /** Told after each page is applied (and its cursor saved), so readers of the copy can catch up. */
  onApplied?: () => void;
}

export interface DirectorySyncStatus {
  /** Sequence number of the last change applied here. */
  cursor: number;
  /** personnel's newest sequence number when last asked. */
  head: number;
  /** Changes personnel has that this copy has not applied yet. */
  behind: number;
  /** Milliseconds between personnel recording the newest applied change and this copy applying it. */
  lastLagMs: number | null;
  lastSyncedAt: string | null;
  lastError: string | null;
}

export interface DirectorySync {
  /** Polls until stopped. */
  start(): void;
  stop(): Promise<void>;
  /** Reads and applies pages until personnel has nothing newer; the number of entries applied. */
  catchUp(): Promise<number>;
  status(): Promise<DirectorySyncStatus>;
}

async function fetchPage(options: DirectorySyncOptions, after: number, first: number): Promise<FeedPage> {
  const res = await fetch(options.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${await options.serviceToken()}` },
    body: JSON.stringify({ query: FEED_QUERY, variables: { after, first } }),
    signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
  });
  const body = (await res.json()) as { data?: { servantDirectoryChanges?: FeedPage | null } | null; errors?: Array<{ message?: string }> };
  const page = body.data?.servantDirectoryChanges;
  if (!res.ok || body.errors?.length || !page || !Array.isArray(page.entries)) {
    throw new Error(`personnel's directory feed answered ${res.status}: ${body.errors?.map((e) => e.message).join('; ') ?? 'no page'}`);
  }
  return page;
}

export function createDirectorySync(options: DirectorySyncOptions): DirectorySync {
  const { Directory, DirectorySyncState } = options.models;
  const pageSize = Math.min(options.pageSize ?? 2000, FEED_PAGE_MAX);
  const intervalMs = options.intervalMs ?? 500;
  let lastLagMs: number | null = null;
  let lastHead: number | null = null;
  let lastSyncedAt: Date | null = null;
  let lastError: string | null = null;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = true;

  // This process is the copy's only writer: the cursor is read from the database once, then kept.
  let cursorKnown: number | undefined;
  async function cursorNow(): Promise<number> {
    if (cursorKnown === undefined) cursorKnown = (await DirectorySyncState.findById(STATE_ID).lean())?.cursor ?? 0;
    return cursorKnown;
  }

  async function applyOnePage(): Promise<{ applied: number; full: boolean }> {
    const cursor = await cursorNow();
    const page = await fetchPage(options, cursor, pageSize);
    const entries = page.entries.map(entryFromFeed);
    if (entries.length > 0) {
      // Straight to the driver: the entries are already typed by entryFromFeed, and mongoose's
      // casting of every nested period was most of a catch-up's time.
      const collection = Directory.db.collection<DirectoryEntry>(Directory.collection.collectionName);
      await collection.bulkWrite(
        entries.map((entry) => ({ replaceOne: { filter: { _id: entry._id }, replacement: entry, upsert: true } })),
        { ordered: false },
      );
    }
    const newest = entries.at(-1);
    const now = new Date();
    lastHead = page.head;
    lastSyncedAt = now;
    // Nothing new: nothing to remember, and no write per poll to the database.
    if (newest) {
      lastLagMs = now.getTime() - newest.changedAt.getTime();
      await DirectorySyncState.updateOne(
        { _id: STATE_ID },
        { $set: { cursor: newest.seq, head: page.head, syncedAt: now, appliedChangedAt: newest.changedAt } },
        { upsert: true },
      );
      cursorKnown = newest.seq;
      options.onApplied?.();
    }
    lastError = null;
    return { applied: entries.length, full: entries.length === pageSize };
  }

  let inFlight: Promise<number> | undefined;
  /** One catch-up at a time: a second caller shares the running one. */
  function catchUp(): Promise<number> {
    inFlight ??= (async () => {
      let total = 0;
      for (;;) {
        const { applied, full } = await applyOnePage();
        total += applied;
        if (!full) return total;
      }
    })().finally(() => (inFlight = undefined));
    return inFlight;
  }

  // After a failure (personnel still starting, say) the copy retries soon, backing off to the poll
  // interval, not after a whole interval: with hourly polls a first failure would leave it empty.
  let retryMs = RETRY_FIRST_MS;
  function schedule(delay: number) {
    if (stopped) return;
    timer = setTimeout(() => {
      running = catchUp()
        .then(
          () => {
            retryMs = RETRY_FIRST_MS;
            schedule(intervalMs);
          },
          (err: unknown) => {
            lastError = err instanceof Error ? err.message : String(err);
            options.logger?.warn({ err }, 'servant directory sync failed; retrying');
            schedule(Math.min(retryMs, intervalMs));
            retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
          },
        );
    }, delay);
    timer.unref();
  }

  return {
    start() {
      if (!stopped) return;
      stopped = false;
      schedule(0);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running?.catch(() => undefined);
    },
    catchUp,
    async status() {
      const cursor = await cursorNow();
      const state = lastSyncedAt ? null : await DirectorySyncState.findById(STATE_ID).lean();
      const head = Math.max(lastHead ?? 0, state?.head ?? 0);
      const syncedAt = lastSyncedAt ?? state?.syncedAt ?? null;
      return { cursor, head, behind: Math.max(0, head - cursor), lastLagMs, lastSyncedAt: syncedAt?.toISOString() ?? null, lastError };
    },
  };
}
