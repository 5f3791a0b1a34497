import { Types, type Connection } from 'mongoose';
import { registerDirectoryModels, type DirectoryEntry, type DirectoryModels } from '@civil-service/shared';
import { buildDirectorySnapshots, snapshotOf } from './directory/builder';
import { countersOf, DIRECTORY_COUNTER_ID } from './directory/writer';
import type { PersonnelModels } from './models';
import type { SeedBody } from './seed-bodies';
import type { CareerPlan } from './seed-careers';

/**
 * The seeder's side of the servant directory: each servant's entry is built from the career plan
 * already in memory (no reads), numbered 1..N in seeding order, and the counter left at N so the
 * first personnel action after seeding gets N + 1.
 */
export class SeedDirectory {
  readonly models: DirectoryModels;
  private readonly parents = new Map<string, Types.ObjectId | null>();
  private last = 0;

  constructor(
    private readonly db: Connection,
    private readonly changedAt: Date,
  ) {
    this.models = registerDirectoryModels(db);
  }

  /** Collections the seeder clears before writing. */
  collections(): string[] {
    return [this.models.Directory.collection.collectionName, countersOf(this.db).collectionName];
  }

  setBodies(bodies: readonly SeedBody[]): void {
    for (const b of bodies) this.parents.set(b.doc._id.toHexString(), b.doc.parentId);
  }

  /** The next servant's entry, in seeding order. */
  entryOf(servantId: Types.ObjectId, status: string, gender: string, plan: CareerPlan): DirectoryEntry {
    const snapshot = snapshotOf(
      { _id: servantId, status, gender, birthYear: plan.birthDate.getUTCFullYear() },
      plan.assignments.map((a) => ({ start: a.start, end: a.end, position: a.position, body: a.position.body.doc })),
      (id) => this.parents.get(id),
    );
    this.last += 1;
    return { ...snapshot, seq: this.last, changedAt: this.changedAt };
  }

  /**
   * Rewrites, from the database, the entries of everyone who ever held one of `positionIds`: a
   * position changed after the bulk load (the seeded anomalies) describes every period on it. The
   * entries keep their numbers: nobody has read the feed yet, and the seeded directory stays 1..N.
   */
  async rewriteHoldersOf(models: PersonnelModels, positionIds: readonly string[]): Promise<void> {
    if (!positionIds.length) return;
    const holders: Types.ObjectId[] = await models.Assignment.distinct('servantId', { positionId: { $in: positionIds.map((id) => new Types.ObjectId(id)) } }).exec();
    const numbers = new Map(
      (await this.models.Directory.find({ _id: { $in: holders.map((id) => id.toHexString()) } }, 'seq').lean<Array<Pick<DirectoryEntry, '_id' | 'seq'>>>().exec()).map((e) => [e._id, e.seq]),
    );
    const entries = (await buildDirectorySnapshots(models, holders)).map((snap) => ({ ...snap, seq: numbers.get(snap._id) ?? (this.last += 1), changedAt: this.changedAt }));
    if (!entries.length) return;
    await this.db.collection<DirectoryEntry>(this.models.Directory.collection.collectionName).bulkWrite(
      entries.map((e) => ({ replaceOne: { filter: { _id: e._id }, replacement: e, upsert: true } })),
    );
    await countersOf(this.db).updateOne({ _id: DIRECTORY_COUNTER_ID }, { $max: { seq: this.last } }, { upsert: true });
  }

  /** After the entries are written: the counter, and the indexes (cheaper built once than per insert). */
  async finish(): Promise<void> {
    await countersOf(this.db).updateOne({ _id: DIRECTORY_COUNTER_ID }, { $set: { seq: this.last } }, { upsert: true });
    await this.models.Directory.createIndexes();
  }
}
