import { Schema, type Connection, type Model, type Types } from 'mongoose';
import { renewCounter } from '@civil-service/shared';

export const SERVICE_CHANNELS = ['PROVIDER_OFFICE', 'PSC', 'EGOV_PORTAL', 'MOBILE'] as const;
export const VIOLATION_TYPES = [
  'DEADLINE_BREACH',
  'UNLAWFUL_REFUSAL',
  'EXCESS_DOCUMENTS',
  'FEE_VIOLATION',
  'STANDARD_NONCOMPLIANCE',
] as const;

export interface PublicServiceDoc {
  /** The register code: public services are looked up by code everywhere. */
  _id: string;
  name: string;
  channels: string[];
  standardDeadlineDays: number;
  isElectronic: boolean;
  providerStateBodyId: string | null;
}

/** Monthly request counts of one body and service, optionally of one front-office servant. */
export interface ServiceRequestStatDoc {
  stateBodyId: string;
  serviceCode: string;
  servantId: string | null;
  year: number;
  month: number;
  requests: number;
  onTime: number;
}

/**
 * A body's requests of one month over all its services and staff: the sum of its
 * `servicerequeststats` rows, kept beside them because a workforce question sums a year of months
 * over every body, and the rows split per service and front-office servant are ~50 times as many.
 */
export interface RequestTotalDoc {
  stateBodyId: string;
  year: number;
  month: number;
  requests: number;
  onTime: number;
}

export interface FeedbackDoc {
  _id: Types.ObjectId;
  serviceCode: string;
  stateBodyId: string;
  servantId: string | null;
  rating: number;
  onTime: boolean;
  comment: string | null;
  submittedOn: Date;
}

export interface ViolationDoc {
  _id: Types.ObjectId;
  stateBodyId: string;
  serviceCode: string;
  servantId: string | null;
  type: string;
  detectedOn: Date;
  description: string;
}

const publicServiceSchema = new Schema<PublicServiceDoc>(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true, trim: true },
    channels: { type: [{ type: String, enum: SERVICE_CHANNELS }], default: [] },
    standardDeadlineDays: { type: Number, required: true, min: 0 },
    isElectronic: { type: Boolean, required: true },
    providerStateBodyId: { type: String, default: null },
  },
  { collection: 'publicservices', versionKey: false },
);

const requestStatSchema = new Schema<ServiceRequestStatDoc>(
  {
    stateBodyId: { type: String, required: true },
    serviceCode: { type: String, required: true },
    servantId: { type: String, default: null },
    year: { type: Number, required: true },
    month: { type: Number, required: true, min: 1, max: 12 },
    requests: { type: Number, required: true, min: 0 },
    onTime: { type: Number, required: true, min: 0 },
  },
  { collection: 'servicerequeststats', versionKey: false },
);
// Body figures are read per (body, year); servant figures per servant.
requestStatSchema.index({ stateBodyId: 1, year: 1 });
requestStatSchema.index({ servantId: 1 });

const requestTotalSchema = new Schema<RequestTotalDoc>(
  {
    stateBodyId: { type: String, required: true },
    year: { type: Number, required: true },
    month: { type: Number, required: true, min: 1, max: 12 },
    requests: { type: Number, required: true, min: 0 },
    onTime: { type: Number, required: true, min: 0 },
  },
  { collection: 'servicerequesttotals', versionKey: false },
);
// One total per body and month; a one-body question reads its months through it.
requestTotalSchema.index({ stateBodyId: 1, year: 1, month: 1 }, { unique: true });
// Workforce measures read the window's months over every body (year leads the match).
requestTotalSchema.index({ year: 1, month: 1 });

const feedbackSchema = new Schema<FeedbackDoc>(
  {
    serviceCode: { type: String, required: true },
    stateBodyId: { type: String, required: true },
    servantId: { type: String, default: null },
    // The scale is versioned reference data checked by the resolver; the schema only guards sanity.
    rating: { type: Number, required: true, validate: Number.isInteger },
    onTime: { type: Boolean, required: true },
    comment: { type: String, default: null },
    submittedOn: { type: Date, required: true },
  },
  { collection: 'feedback', versionKey: false },
);
// Body figures are read per (body, year of submission); servant figures per servant.
feedbackSchema.index({ stateBodyId: 1, submittedOn: 1 });
feedbackSchema.index({ servantId: 1 });
// Workforce measures read the window's feedback over every body.
feedbackSchema.index({ submittedOn: 1 });

const violationSchema = new Schema<ViolationDoc>(
  {
    stateBodyId: { type: String, required: true },
    serviceCode: { type: String, required: true },
    servantId: { type: String, default: null },
    type: { type: String, required: true, enum: VIOLATION_TYPES },
    detectedOn: { type: Date, required: true },
    description: { type: String, required: true },
  },
  { collection: 'violations', versionKey: false },
);
// Body violation counts per (body, year of detection).
violationSchema.index({ stateBodyId: 1, detectedOn: 1 });
// A servant's violations, most recent first (ServantServiceQuality.violations).
violationSchema.index({ servantId: 1, detectedOn: -1 });
// The repeated violations alert reads the window's violations over every servant.
violationSchema.index({ detectedOn: 1 });

export interface ServicesQualityModels {
  PublicService: Model<PublicServiceDoc>;
  ServiceRequestStat: Model<ServiceRequestStatDoc>;
  RequestTotal: Model<RequestTotalDoc>;
  Feedback: Model<FeedbackDoc>;
  Violation: Model<ViolationDoc>;
}

/** Registers the models on the subgraph's own connection (idempotent for the same connection). */
export function registerModels(db: Connection): ServicesQualityModels {
  const get = <T>(name: string, schema: Schema<T>): Model<T> => (db.models[name] as Model<T> | undefined) ?? db.model<T>(name, schema);
  return {
    PublicService: get('PublicService', publicServiceSchema),
    ServiceRequestStat: get('ServiceRequestStat', requestStatSchema),
    RequestTotal: get('RequestTotal', requestTotalSchema),
    Feedback: get('Feedback', feedbackSchema),
    Violation: get('Violation', violationSchema),
  };
}

/** Counters the feedback writes and the totals rebuilds move, so today's per-body window sums are re-read only then. */
export const FEEDBACK_COUNTER = 'feedback';
export const REQUEST_TOTALS_COUNTER = 'request_totals';

/**
 * Rebuilds the monthly body totals from the statistics rows (after statistics are loaded other
 * than by the seeder, which writes both). One aggregation and one bulk insert.
 */
export async function rebuildRequestTotals(models: ServicesQualityModels): Promise<number> {
  const rows = await models.ServiceRequestStat.aggregate<{ _id: { b: string; y: number; m: number }; requests: number; onTime: number }>([
    { $group: { _id: { b: '$stateBodyId', y: '$year', m: '$month' }, requests: { $sum: '$requests' }, onTime: { $sum: '$onTime' } } },
  ]).exec();
  await models.RequestTotal.deleteMany({});
  if (rows.length === 0) {
    await renewCounter(models.RequestTotal.db, REQUEST_TOTALS_COUNTER);
    return 0;
  }
  await models.RequestTotal.insertMany(
    rows.map((r) => ({ stateBodyId: r._id.b, year: r._id.y, month: r._id.m, requests: r.requests, onTime: r.onTime })),
    { ordered: false },
  );
  await renewCounter(models.RequestTotal.db, REQUEST_TOTALS_COUNTER);
  return rows.length;
}
