import type { Connection, Types } from 'mongoose';
import { copyFacts, servantScopeOf, type DirectoryCopy, type Logger, type ServantFacts, type ServantRecord, type ServantScope } from '@civil-service/shared';
import { LEARNING_RECORDS_COLLECTION, LEARNING_RECORDS_COUNTER } from '../models';
import type { RetrainingEvent } from '../rules/training';
import { retrainingEventsOf } from './events';

/**
 * What training knows about one servant in service, kept in memory (`ServantFacts`): enough for the
 * compliance alerts and for today's workforce questions.
 */
export interface TrainingFacts extends ServantScope {
  entryDate: Date | null;
  /** The first assignment's start: when there is no entry date. */
  firstFrom: Date | null;
  events: RetrainingEvent[];
  /** COMPLETED records with an end date: end date, programme id, academic hours (0 when none recorded). */
  completions: Array<{ e: Date; p: string; h: number }>;
}

/** The learning record fields the facts are built from. */
export interface LearningRecordFacts extends ServantRecord {
  status: string;
  endDate: Date | null;
  programId: Types.ObjectId;
  hours: number | null;
}

export type TrainingFactStore = ServantFacts<LearningRecordFacts, TrainingFacts>;

/**
 * The facts of a training subgraph: its directory copy, caught up by number, with each servant's
 * completions, re-read for the servants whose completions change (`LEARNING_RECORDS_COUNTER`).
 */
export function trainingFacts(db: Connection, directory: DirectoryCopy, logger?: Logger) {
  // Programme ids repeat across 100,000s of records: one string each.
  const ids = new Map<string, string>();
  const idOf = (p: Types.ObjectId) => {
    const hex = p.toHexString();
    const known = ids.get(hex);
    if (known) return known;
    ids.set(hex, hex);
    return hex;
  };
  return copyFacts<LearningRecordFacts, TrainingFacts>(db, directory, {
    records: { collection: LEARNING_RECORDS_COLLECTION, counterId: LEARNING_RECORDS_COUNTER, projection: { status: 1, endDate: 1, programId: 1, hours: 1 } },
    ...(logger ? { logger } : {}),
    build(entry, records) {
      const scope = servantScopeOf(entry);
      if (!scope) return null;
      return {
        ...scope,
        entryDate: entry.entryDate,
        firstFrom: entry.periods[0]?.from ?? null,
        events: retrainingEventsOf(entry.periods),
        completions: records.filter((r) => r.status === 'COMPLETED' && r.endDate).map((r) => ({ e: r.endDate!, p: idOf(r.programId), h: r.hours ?? 0 })),
      };
    },
  });
}
