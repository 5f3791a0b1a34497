import { Types } from 'mongoose';

/** The seeded random source of `@civil-service/shared` (`createRng`). */
export interface SeedRng {
  next(): number;
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
  date(from: Date, to: Date): Date;
}

/** 2020-01-01: seeded ids sort before anything the running system creates. */
const SEED_EPOCH_SECONDS = 1_577_836_800;

/**
 * Deterministic ObjectIds: a fixed timestamp, a marker per kind of record and a counter, so the
 * same seed gives the same ids (the other subgraphs store them) and ids follow creation order.
 */
export function idFactory(marker: number): () => Types.ObjectId {
  let counter = 0;
  const prefix = SEED_EPOCH_SECONDS.toString(16).padStart(8, '0') + marker.toString(16).padStart(2, '0');
  return () => {
    counter += 1;
    return new Types.ObjectId(prefix + counter.toString(16).padStart(14, '0'));
  };
}
