import type { ClientSession, Connection, Types } from 'mongoose';
import { allocateCounter, type DirectoryEntry, type DirectoryModels } from '@civil-service/shared';
import type { PersonnelModels } from '../models';
import { buildDirectorySnapshots, type DirectorySnapshot } from './builder';

export { COUNTERS_COLLECTION, countersOf } from '@civil-service/shared';
export const DIRECTORY_COUNTER_ID = 'servant_directory';

/**
 * Hands out `n` directory sequence numbers; returns the first. Called inside the transaction of
 * the change, so numbers become visible in commit order (`allocateCounter`): the feed never shows
 * a number before a smaller one.
 */
export function allocateSequence(db: Connection, n: number, session?: ClientSession): Promise<number> {
  return allocateCounter(db, DIRECTORY_COUNTER_ID, n, session);
}

/** Numbers the snapshots and replaces their entries (upserting new servants). */
export async function writeSnapshots(db: Connection, directory: DirectoryModels, snapshots: readonly DirectorySnapshot[], changedAt: Date, session?: ClientSession): Promise<void> {
  if (!snapshots.length) return;
  const first = await allocateSequence(db, snapshots.length, session);
  const entries: DirectoryEntry[] = snapshots.map((s, i) => ({ ...s, seq: first + i, changedAt }));
  await db.collection<DirectoryEntry>(directory.Directory.collection.collectionName).bulkWrite(
    entries.map((e) => ({ replaceOne: { filter: { _id: e._id }, replacement: e, upsert: true } })),
    { ordered: true, session },
  );
}

/**
 * Rewrites the directory entries of `servantIds` from the register. Write paths call it inside
 * their transaction, after their own writes, so that the entry and its number commit with them.
 */
export async function recordDirectoryChange(
  db: Connection,
  models: PersonnelModels,
  directory: DirectoryModels,
  servantIds: readonly Types.ObjectId[],
  changedAt: Date,
  session?: ClientSession,
): Promise<void> {
  await writeSnapshots(db, directory, await buildDirectorySnapshots(models, servantIds, session), changedAt, session);
}
