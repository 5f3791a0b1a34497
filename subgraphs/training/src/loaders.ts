import type DataLoader from 'dataloader';
import { Types } from 'mongoose';
import { createEntityLoader, createGroupLoader, lazySegmentLoader, type ResolvedSegment, type SegmentComputer } from '@civil-service/shared';
import type { LearningRecordDoc, TrainingModels, TrainingProgramDoc } from './models';
import type { TrainingMeasures } from './analytics/segments';

export type ProgramRow = TrainingProgramDoc;
export type RecordRow = LearningRecordDoc;

export const PROGRAM_FIELDS = { title: 1, type: 1, form: 1, provider: 1, academicHours: 1, topics: 1 } as const;
export const RECORD_FIELDS = {
  servantId: 1,
  programId: 1,
  status: 1,
  startDate: 1,
  endDate: 1,
  hours: 1,
  certificateNo: 1,
} as const;

/**
 * Asks for a loader's whole answer in the first reply. The server's default first batch is 101
 * documents, so without it a page of 50 servants with 3 records each costs a `getMore` more than a
 * page of 5, and round trips grow with the page; the 16 MB reply limit still bounds a batch.
 */
export const ONE_REPLY = 100_000;

export interface Loaders {
  /** A servant's learning records, most recent start first. Keys: lower-case servant ids. */
  recordsByServant: DataLoader<string, RecordRow[]>;
  /** Keys: lower-case programme ids. */
  programById: DataLoader<string, ProgramRow | null>;
  /**
   * WorkforceSegment keys: every key of a request answered by one pipeline per question. Takes
   * the resolver's context: Apollo hands resolvers a copy of the built context, and the auth
   * plugin attaches the caller (who decides suppression) to that copy.
   */
  segments(context: object): DataLoader<string, ResolvedSegment<TrainingMeasures>>;
}

/** What the segment loader needs besides the models. */
export interface SegmentLoaderOptions {
  compute: SegmentComputer<TrainingMeasures>;
  threshold: number;
  today: () => Date;
}

/**
 * Per-request loaders: however many servants a request (or a gateway `_entities` batch) touches,
 * the learning records are read with one `$in` query and the programmes with another.
 */
export function createLoaders(models: TrainingModels, analytics?: SegmentLoaderOptions): Loaders {
  const recordsByServant = createGroupLoader<RecordRow>(
    (ids) =>
      models.LearningRecord.find({ servantId: { $in: [...ids] } }, RECORD_FIELDS)
        .sort({ servantId: 1, startDate: -1, _id: -1 })
        .batchSize(ONE_REPLY)
        .lean<RecordRow[]>()
        .exec(),
    (row) => row.servantId,
  );

  const programById = createEntityLoader<ProgramRow>(
    (ids) =>
      models.TrainingProgram.find({ _id: { $in: [...ids].map((id) => new Types.ObjectId(id)) } }, PROGRAM_FIELDS)
        .batchSize(ONE_REPLY)
        .lean<ProgramRow[]>()
        .exec(),
    (row) => String(row._id),
  );

  const segments = analytics ? lazySegmentLoader(analytics.compute, { threshold: analytics.threshold, today: analytics.today }) : undefined;
  return {
    recordsByServant,
    programById,
    segments(context) {
      if (!segments) throw new Error('segment loader not configured');
      return segments(context);
    },
  };
}
