import { Schema, type Connection, type Model, type Types } from 'mongoose';

export const ASSESSMENT_RESULTS = ['PASSED', 'REASSESSMENT', 'FAILED'] as const;
export type AssessmentResult = (typeof ASSESSMENT_RESULTS)[number];

export const COMPETENCY_CODE = /^[A-Z]{2,6}-\d{2}$/;
const OBJECT_ID_HEX = /^[0-9a-f]{24}$/i;

/** One quarterly score; the annual evaluation is derived from these and never stored. */
export interface QuarterlyEvaluationDoc {
  _id: Types.ObjectId;
  servantId: string;
  year: number;
  quarter: number;
  score: number;
  recordedAt: Date;
  /** The change number of the write (`QUARTERS_COUNTER`); absent on seeded quarters. */
  rev?: number;
}

/** mongoose's default name for QuarterlyEvaluation, fixed here because pipelines and the alert facts read it by name. */
export const QUARTERS_COLLECTION = 'quarterlyevaluations';

/** The counter that numbers quarter writes, so each instance's alert facts read only what changed. */
export const QUARTERS_COUNTER = 'quarterly_evaluations';

export interface AssessmentDoc {
  _id: Types.ObjectId;
  servantId: string;
  assessedOn: Date;
  result: AssessmentResult;
}

export interface CompetencyDoc {
  _id: Types.ObjectId;
  code: string;
  name: string;
  cluster: string;
  description: string;
}

export interface CompetencyAssessmentDoc {
  _id: Types.ObjectId;
  servantId: string;
  competencyCode: string;
  level: number;
  assessedOn: Date;
}

const servantId = {
  type: String,
  required: true,
  validate: { validator: (v: string) => OBJECT_ID_HEX.test(v), message: 'servantId must be a 24-hex id' },
};

const quarterlyEvaluationSchema = new Schema<QuarterlyEvaluationDoc>(
  {
    servantId,
    year: { type: Number, required: true, min: 1990, max: 2200, validate: Number.isInteger },
    quarter: { type: Number, required: true, min: 1, max: 4, validate: Number.isInteger },
    // The scale is versioned reference data; the resolver checks it, the schema only guards sanity.
    score: { type: Number, required: true, validate: Number.isFinite },
    recordedAt: { type: Date, required: true },
    rev: { type: Number },
  },
  { versionKey: false, collection: QUARTERS_COLLECTION },
);
// The alert facts read the quarters written since the last number they saw.
quarterlyEvaluationSchema.index({ rev: 1 }, { sparse: true });
// One score per servant and quarter: the mutation relies on this index to refuse duplicates.
quarterlyEvaluationSchema.index({ servantId: 1, year: 1, quarter: 1 }, { unique: true });
// Band distributions and "who is missing a quarter" scan by period.
quarterlyEvaluationSchema.index({ year: 1, quarter: 1 });

const assessmentSchema = new Schema<AssessmentDoc>(
  {
    servantId,
    assessedOn: { type: Date, required: true },
    result: { type: String, required: true, enum: ASSESSMENT_RESULTS },
  },
  { versionKey: false },
);
assessmentSchema.index({ servantId: 1, assessedOn: -1 });

const competencySchema = new Schema<CompetencyDoc>(
  {
    code: { type: String, required: true, match: COMPETENCY_CODE },
    name: { type: String, required: true, trim: true },
    cluster: { type: String, required: true, enum: ['management', 'personal', 'professional'] },
    description: { type: String, required: true, trim: true },
  },
  { versionKey: false },
);
competencySchema.index({ code: 1 }, { unique: true });

const competencyAssessmentSchema = new Schema<CompetencyAssessmentDoc>(
  {
    servantId,
    competencyCode: { type: String, required: true, match: COMPETENCY_CODE },
    level: { type: Number, required: true, min: 1, max: 5, validate: Number.isInteger },
    assessedOn: { type: Date, required: true },
  },
  { versionKey: false },
);
competencyAssessmentSchema.index({ servantId: 1, competencyCode: 1, assessedOn: -1 });
// Coverage of one competency across the service.
competencyAssessmentSchema.index({ competencyCode: 1 });

// Collections keep mongoose's default names (quarterlyevaluations, assessments, competencies,
// competencyassessments): end-to-end tests and operators address them by those names.
export interface EvaluationModels {
  QuarterlyEvaluation: Model<QuarterlyEvaluationDoc>;
  Assessment: Model<AssessmentDoc>;
  Competency: Model<CompetencyDoc>;
  CompetencyAssessment: Model<CompetencyAssessmentDoc>;
}

/** Registers the models on the subgraph's own connection (idempotent for the same connection). */
export function registerModels(db: Connection): EvaluationModels {
  const get = <T>(name: string, schema: Schema<T>): Model<T> =>
    (db.models[name] as Model<T> | undefined) ?? db.model<T>(name, schema);
  return {
    QuarterlyEvaluation: get('QuarterlyEvaluation', quarterlyEvaluationSchema),
    Assessment: get('Assessment', assessmentSchema),
    Competency: get('Competency', competencySchema),
    CompetencyAssessment: get('CompetencyAssessment', competencyAssessmentSchema),
  };
}
