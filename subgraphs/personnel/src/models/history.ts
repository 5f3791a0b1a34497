import { Schema, Types } from 'mongoose';
import {
  CORRUPTION_DECISION_TYPES,
  CORRUPTION_SOURCES,
  EDUCATION_DEGREES,
  INCENTIVE_TYPES,
  RESERVE_STATUSES,
  RESERVE_TYPES,
  ROTATION_SCHEMES,
  SANCTION_TYPES,
} from './enums';

const { ObjectId } = Schema.Types;

/** Every per-servant list is read newest first through one `servantId` range. */
function perServant<T>(definition: Record<string, unknown>, collection: string, dateField: string): Schema<T> {
  const schema = new Schema<T>({ servantId: { type: ObjectId, required: true }, ...definition }, { collection, versionKey: false });
  schema.index({ servantId: 1, [dateField]: -1 });
  return schema;
}

export interface EducationDoc {
  _id: Types.ObjectId;
  servantId: Types.ObjectId;
  institution: string;
  specialty: string;
  degree: (typeof EDUCATION_DEGREES)[number];
  graduatedOn: Date;
}
export const educationSchema = perServant<EducationDoc>(
  {
    institution: { type: String, required: true, trim: true, minlength: 1, maxlength: 300 },
    specialty: { type: String, required: true, trim: true, minlength: 1, maxlength: 300 },
    degree: { type: String, required: true, enum: EDUCATION_DEGREES },
    graduatedOn: { type: Date, required: true },
  },
  'education',
  'graduatedOn',
);

export interface ReserveMembershipDoc {
  _id: Types.ObjectId;
  servantId: Types.ObjectId;
  type: (typeof RESERVE_TYPES)[number];
  enrolledOn: Date;
  expiresOn: Date | null;
  status: (typeof RESERVE_STATUSES)[number];
}
export const reserveMembershipSchema = perServant<ReserveMembershipDoc>(
  {
    type: { type: String, required: true, enum: RESERVE_TYPES },
    enrolledOn: { type: Date, required: true },
    expiresOn: { type: Date, default: null },
    status: { type: String, required: true, enum: RESERVE_STATUSES },
  },
  'reserve_memberships',
  'enrolledOn',
);

export interface RotationDoc {
  _id: Types.ObjectId;
  servantId: Types.ObjectId;
  fromBodyId: Types.ObjectId;
  toBodyId: Types.ObjectId;
  startDate: Date;
  scheme: (typeof ROTATION_SCHEMES)[number];
}
export const rotationSchema = perServant<RotationDoc>(
  {
    fromBodyId: { type: ObjectId, required: true },
    toBodyId: { type: ObjectId, required: true },
    startDate: { type: Date, required: true },
    scheme: { type: String, required: true, enum: ROTATION_SCHEMES },
  },
  'rotations',
  'startDate',
);
// Rotation flows over a period.
rotationSchema.index({ startDate: 1 });

export interface IncentiveDoc {
  _id: Types.ObjectId;
  servantId: Types.ObjectId;
  type: (typeof INCENTIVE_TYPES)[number];
  date: Date;
  orderNumber: string;
}
export const incentiveSchema = perServant<IncentiveDoc>(
  {
    type: { type: String, required: true, enum: INCENTIVE_TYPES },
    date: { type: Date, required: true },
    orderNumber: { type: String, required: true, trim: true, minlength: 1, maxlength: 40 },
  },
  'incentives',
  'date',
);

export interface SanctionDoc {
  _id: Types.ObjectId;
  servantId: Types.ObjectId;
  type: (typeof SANCTION_TYPES)[number];
  imposedOn: Date;
  liftedOn: Date | null;
  orderNumber: string;
  grounds: string;
}
export const sanctionSchema = perServant<SanctionDoc>(
  {
    type: { type: String, required: true, enum: SANCTION_TYPES },
    imposedOn: { type: Date, required: true },
    liftedOn: { type: Date, default: null },
    orderNumber: { type: String, required: true, trim: true, minlength: 1, maxlength: 40 },
    grounds: { type: String, required: true, trim: true, minlength: 1, maxlength: 2000 },
  },
  'sanctions',
  'imposedOn',
);
// Sanction rates over a period.
sanctionSchema.index({ imposedOn: 1 });

export interface CorruptionRecordDoc {
  _id: Types.ObjectId;
  servantId: Types.ObjectId;
  decisionDate: Date;
  decisionType: (typeof CORRUPTION_DECISION_TYPES)[number];
  article: string;
  source: (typeof CORRUPTION_SOURCES)[number];
}
export const corruptionRecordSchema = perServant<CorruptionRecordDoc>(
  {
    decisionDate: { type: Date, required: true },
    decisionType: { type: String, required: true, enum: CORRUPTION_DECISION_TYPES },
    article: { type: String, required: true, trim: true, minlength: 1, maxlength: 200 },
    source: { type: String, required: true, enum: CORRUPTION_SOURCES },
  },
  'corruption_records',
  'decisionDate',
);
