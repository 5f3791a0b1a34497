import { Schema, type Connection, type Model, type Types } from 'mongoose';
import { LEARNING_STATUSES, TRAINING_FORMS, TRAINING_TYPES, type LearningStatus, type TrainingForm, type TrainingType } from '../rules/training';

const OBJECT_ID_HEX = /^[0-9a-f]{24}$/;

export interface TrainingProgramDoc {
  _id: Types.ObjectId;
  title: string;
  type: TrainingType;
  form: TrainingForm;
  provider: string;
  academicHours: number;
  topics: string[];
}

/** One servant's enrolment in one programme; the servant is known here by register id only. */
export interface LearningRecordDoc {
  _id: Types.ObjectId;
  /** Lower-case 24-hex register id of the servant (personnel owns identity). */
  servantId: string;
  programId: Types.ObjectId;
  status: LearningStatus;
  startDate: Date;
  endDate: Date | null;
  hours: number | null;
  certificateNo: string | null;
  /** The change number of the last completion written (`LEARNING_RECORDS_COUNTER`); absent on seeded records. */
  rev?: number;
}

/** mongoose's default name for LearningRecord, fixed here because the alert facts read it by name. */
export const LEARNING_RECORDS_COLLECTION = 'learningrecords';

/** The counter that numbers completions, so each instance's alert facts read only what changed. */
export const LEARNING_RECORDS_COUNTER = 'learning_records';

const trainingProgramSchema = new Schema<TrainingProgramDoc>(
  {
    title: { type: String, required: true, trim: true, maxlength: 300 },
    type: { type: String, required: true, enum: TRAINING_TYPES },
    form: { type: String, required: true, enum: TRAINING_FORMS },
    provider: { type: String, required: true, trim: true, maxlength: 300 },
    // Bounds per type are effective-dated reference data, checked by the seed and rules; this is sanity.
    academicHours: { type: Number, required: true, min: 1, max: 10_000, validate: Number.isInteger },
    topics: { type: [String], default: [] },
  },
  { versionKey: false },
);
// trainingPrograms(type) is filtered by type and ordered by title.
trainingProgramSchema.index({ type: 1, title: 1 });
trainingProgramSchema.index({ title: 1 });

const learningRecordSchema = new Schema<LearningRecordDoc>(
  {
    servantId: {
      type: String,
      required: true,
      validate: { validator: (v: string) => OBJECT_ID_HEX.test(v), message: 'servantId must be a lower-case 24-hex id' },
    },
    programId: { type: Schema.Types.ObjectId, required: true },
    status: { type: String, required: true, enum: LEARNING_STATUSES },
    startDate: { type: Date, required: true },
    endDate: { type: Date, default: null },
    hours: { type: Number, default: null, min: 1, validate: (v: number | null) => v == null || Number.isInteger(v) },
    certificateNo: { type: String, default: null, trim: true, maxlength: 64 },
    rev: { type: Number },
  },
  { versionKey: false, collection: LEARNING_RECORDS_COLLECTION },
);
// A servant's records, most recent first (the CivilServant fields), batched by servantId $in.
learningRecordSchema.index({ servantId: 1, startDate: -1 });
// Who took a programme (Academy reach, demand against capacity).
learningRecordSchema.index({ programId: 1 });
// The alert facts read the records changed since the last number they saw.
learningRecordSchema.index({ rev: 1 }, { sparse: true });
// Completions over time (coverage analytics): who completed in the last 36 months.
learningRecordSchema.index({ status: 1, endDate: -1 });
// At most one open enrolment of a servant in a programme; enrollInTraining relies on it under races.
learningRecordSchema.index(
  { servantId: 1, programId: 1 },
  { unique: true, partialFilterExpression: { status: 'ENROLLED' }, name: 'one_open_enrolment_per_programme' },
);

export interface TrainingModels {
  TrainingProgram: Model<TrainingProgramDoc>;
  LearningRecord: Model<LearningRecordDoc>;
}

/** Registers the models on this subgraph's own connection (never the global mongoose). */
export function registerModels(db: Connection): TrainingModels {
  return {
    TrainingProgram: (db.models.TrainingProgram as Model<TrainingProgramDoc> | undefined) ?? db.model<TrainingProgramDoc>('TrainingProgram', trainingProgramSchema),
    LearningRecord: (db.models.LearningRecord as Model<LearningRecordDoc> | undefined) ?? db.model<LearningRecordDoc>('LearningRecord', learningRecordSchema),
  };
}
