import type { ClientSession, Connection, Types } from 'mongoose';
import type { DirectoryEntry, DirectoryModels } from '@civil-service/shared';
import type { PersonnelModels } from '../models';
import { buildDirectorySnapshots, type DirectorySnapshot } from './builder';

/** Where personnel keeps the last directory sequence number it handed out. */
export const COUNTERS_COLLECTION = 'counters';
export const DIRECTORY_COUNTER_ID = 'servant_directory';

interface CounterDoc {
  _id: string;
  seq: number;
}

export function countersOf(db: Connection) {
  return db.collection<CounterDoc>(COUNTERS_COLLECTION);
}

/**
 * Hands out `n` sequence numbers; returns the first. Inside a transaction the counter document is
 * written by every directory change, so two concurrent changes conflict on it (a transient
 * WriteConflict; `connection.transaction()` retries the loser from the start) and numbers become
 * visible in commit order: the feed never shows a number before a smaller one.
 */
export async function allocateSequence(db: Connection, n: number, session?: ClientSession): Promise<number> {
  const after = await countersOf(db).findOneAndUpdate({ _id: DIRECTORY_COUNTER_ID }, { $inc: { seq: n } }, { upsert: true, returnDocument: 'after', session });
  if (!after) throw new Error('the directory counter was not returned');
  return after.seq - n + 1;
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
