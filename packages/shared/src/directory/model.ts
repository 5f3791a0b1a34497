import { Schema, type Connection, type Model } from 'mongoose';

/**
 * The servant directory: what every subgraph needs to know about a servant to group and filter its
 * own facts (never names or IINs). personnel keeps the master copy, written in the same transaction
 * as the personnel action that changes it; training, evaluation and services-quality keep read-only
 * copies fed from personnel's change feed (`./sync.ts`). The same collection shape in all four lets
 * one set of pipeline stages (`./pipeline.ts`) define "the servants of a segment" everywhere.
 */

/** One assignment, with its position's and body's attributes as they were. Days are UTC midnights, both ends inclusive. */
export interface DirectoryPeriod {
  from: Date;
  /** Last day; null while held. */
  to: Date | null;
  positionId: string;
  stateBodyId: string;
  stateBodyLevel: string;
  region: string;
  corps: string;
  categoryCode: string;
  managerial: boolean;
  rotationSubject: boolean;
}

export interface DirectoryEntry {
  /** The servant's register id (24 hex). */
  _id: string;
  /** personnel's change sequence number of this snapshot: the feed's cursor. */
  seq: number;
  /** When personnel recorded the change (for the lag figure). */
  changedAt: Date;
  status: string;
  gender: string;
  birthYear: number;
  /** First day in the civil service; null when never appointed. */
  entryDate: Date | null;
  /** Current placement; null when not in service. */
  stateBodyId: string | null;
  stateBodyLevel: string | null;
  region: string | null;
  corps: string | null;
  categoryCode: string | null;
  /** The current body and its ancestors, nearest first ([] when not in service): hr's scope. */
  bodyChain: string[];
  /** Every assignment, oldest first: the effective-dated history `asOf` questions read. */
  periods: DirectoryPeriod[];
}

/** An entry before personnel numbers it. */
export type DirectorySnapshot = Omit<DirectoryEntry, 'seq' | 'changedAt'>;

/**
 * A servant's entry from its periods (oldest first): the entry date is the first period's start,
 * the current placement is `current` (the period held now, while in service; none otherwise).
 */
export function directorySnapshot(
  servant: Pick<DirectoryEntry, '_id' | 'status' | 'gender' | 'birthYear'>,
  periods: DirectoryPeriod[],
  current: DirectoryPeriod | undefined,
  bodyChain: string[],
): DirectorySnapshot {
  return {
    ...servant,
    entryDate: periods[0]?.from ?? null,
    stateBodyId: current?.stateBodyId ?? null,
    stateBodyLevel: current?.stateBodyLevel ?? null,
    region: current?.region ?? null,
    corps: current?.corps ?? null,
    categoryCode: current?.categoryCode ?? null,
    bodyChain: current ? bodyChain : [],
    periods,
  };
}

const periodSchema = new Schema<DirectoryPeriod>(
  {
    from: { type: Date, required: true },
    to: { type: Date, default: null },
    positionId: { type: String, required: true },
    stateBodyId: { type: String, required: true },
    stateBodyLevel: { type: String, required: true },
    region: { type: String, required: true },
    corps: { type: String, required: true },
    categoryCode: { type: String, required: true },
    managerial: { type: Boolean, required: true },
    rotationSubject: { type: Boolean, required: true },
  },
  { _id: false },
);

export const directorySchema = new Schema<DirectoryEntry>(
  {
    _id: { type: String, required: true },
    seq: { type: Number, required: true },
    changedAt: { type: Date, required: true },
    status: { type: String, required: true },
    gender: { type: String, required: true },
    birthYear: { type: Number, required: true },
    entryDate: { type: Date, default: null },
    stateBodyId: { type: String, default: null },
    stateBodyLevel: { type: String, default: null },
    region: { type: String, default: null },
    corps: { type: String, default: null },
    categoryCode: { type: String, default: null },
    bodyChain: { type: [String], default: [] },
    periods: { type: [periodSchema], default: [] },
  },
  { collection: 'servant_directory', versionKey: false },
);
// The feed reads in sequence order; personnel's unique index also makes a reused number fail loudly.
directorySchema.index({ seq: 1 }, { unique: true });
// Segment and alert filters on the current placement.
directorySchema.index({ region: 1 });
directorySchema.index({ stateBodyId: 1 });
// Workforce questions filtered by level or corps read only their servants (a level is a sixth of the service).
directorySchema.index({ stateBodyLevel: 1 });
directorySchema.index({ corps: 1 });
directorySchema.index({ status: 1 });
// hr's scope: the servants of a body and of every body under it (multikey).
directorySchema.index({ bodyChain: 1 });

/** Where a copy remembers how far it has read personnel's feed. */
export interface DirectorySyncStateDoc {
  _id: string;
  cursor: number;
  /** personnel's newest sequence number at the last read. */
  head: number;
  /** changedAt of the newest change applied. */
  appliedChangedAt: Date | null;
  syncedAt: Date;
}

const syncStateSchema = new Schema<DirectorySyncStateDoc>(
  {
    _id: { type: String, required: true },
    cursor: { type: Number, required: true },
    head: { type: Number, required: true },
    appliedChangedAt: { type: Date, default: null },
    syncedAt: { type: Date, required: true },
  },
  { collection: 'servant_directory_sync', versionKey: false },
);

export interface DirectoryModels {
  Directory: Model<DirectoryEntry>;
  DirectorySyncState: Model<DirectorySyncStateDoc>;
}

/** Registers the directory models on a subgraph's own connection. */
export function registerDirectoryModels(db: Connection): DirectoryModels {
  return {
    Directory: (db.models.ServantDirectory as Model<DirectoryEntry> | undefined) ?? db.model<DirectoryEntry>('ServantDirectory', directorySchema),
    DirectorySyncState:
      (db.models.ServantDirectorySync as Model<DirectorySyncStateDoc> | undefined) ?? db.model<DirectorySyncStateDoc>('ServantDirectorySync', syncStateSchema),
  };
}
