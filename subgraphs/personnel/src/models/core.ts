import { Schema, Types } from 'mongoose';
import { CORPS, GENDERS, PERSONNEL_ACTION_TYPES, REGIONS, SEPARATION_REASONS, SERVANT_STATUSES, SERVICE_TYPES, STATE_BODY_LEVELS } from './enums';
import type { Corps, Gender, PersonnelActionType, Region, SeparationReason, ServantStatus, ServiceType, StateBodyLevel } from './enums';

const { ObjectId } = Schema.Types;

export interface StateBodyDoc {
  _id: Types.ObjectId;
  name: string;
  level: StateBodyLevel;
  region: Region;
  parentId: Types.ObjectId | null;
}

export const stateBodySchema = new Schema<StateBodyDoc>(
  {
    name: { type: String, required: true, trim: true, minlength: 1, maxlength: 300 },
    level: { type: String, required: true, enum: STATE_BODY_LEVELS },
    region: { type: String, required: true, enum: REGIONS },
    parentId: { type: ObjectId, default: null },
  },
  { collection: 'state_bodies', versionKey: false },
);
// stateBodies(region, level) ordered by name, with either filter optional.
stateBodySchema.index({ region: 1, level: 1, name: 1 });
stateBodySchema.index({ level: 1, name: 1 });
stateBodySchema.index({ name: 1 });
stateBodySchema.index({ parentId: 1 });

export interface PositionDoc {
  _id: Types.ObjectId;
  stateBodyId: Types.ObjectId;
  title: string;
  categoryCode: string;
  corps: Corps;
  isManagerial: boolean;
  rotationSubject: boolean;
  /** The servant holding it now; null when vacant. */
  holderId: Types.ObjectId | null;
}

export const positionSchema = new Schema<PositionDoc>(
  {
    stateBodyId: { type: ObjectId, required: true },
    title: { type: String, required: true, trim: true, minlength: 1, maxlength: 300 },
    categoryCode: { type: String, required: true, match: /^(A|B|C|C-O|C-R|D|D-O|E|E-R|E-G)-[1-9]$/ },
    corps: { type: String, required: true, enum: CORPS },
    isManagerial: { type: Boolean, required: true },
    rotationSubject: { type: Boolean, required: true },
    holderId: { type: ObjectId, default: null },
  },
  { collection: 'positions', versionKey: false },
);
// positions(stateBodyId, vacant) and vacancy counts per body.
positionSchema.index({ stateBodyId: 1, holderId: 1 });
positionSchema.index({ holderId: 1 });

export interface LastSeparation {
  reason: SeparationReason;
  endDate: Date;
}

export interface CivilServantDoc {
  _id: Types.ObjectId;
  iin: string;
  lastName: string;
  firstName: string;
  patronymic: string | null;
  /** Lower-cased surname: `nameStartsWith` is a range scan on it, no collation needed. */
  lastNameLower: string;
  birthDate: Date;
  gender: Gender;
  serviceType: ServiceType;
  corps: Corps | null;
  status: ServantStatus;
  // Denormalised from the open assignment so list filters are one indexed query; every write
  // path that opens or closes an assignment sets them in the same transaction.
  currentAssignmentId: Types.ObjectId | null;
  currentPositionId: Types.ObjectId | null;
  currentStateBodyId: Types.ObjectId | null;
  currentRegion: Region | null;
  currentCategoryCode: string | null;
  /** The latest separation from the service, for the re-entry bar. */
  lastSeparation: LastSeparation | null;
}

export const civilServantSchema = new Schema<CivilServantDoc>(
  {
    iin: { type: String, required: true, match: /^\d{12}$/ },
    lastName: { type: String, required: true, trim: true, minlength: 1, maxlength: 60 },
    firstName: { type: String, required: true, trim: true, minlength: 1, maxlength: 60 },
    patronymic: { type: String, default: null, trim: true, maxlength: 60 },
    lastNameLower: { type: String, required: true },
    birthDate: { type: Date, required: true },
    gender: { type: String, required: true, enum: GENDERS },
    serviceType: { type: String, required: true, enum: SERVICE_TYPES },
    corps: { type: String, enum: [...CORPS, null], default: null },
    status: { type: String, required: true, enum: SERVANT_STATUSES },
    currentAssignmentId: { type: ObjectId, default: null },
    currentPositionId: { type: ObjectId, default: null },
    currentStateBodyId: { type: ObjectId, default: null },
    currentRegion: { type: String, enum: [...REGIONS, null], default: null },
    currentCategoryCode: { type: String, default: null },
    lastSeparation: {
      type: new Schema<LastSeparation>({ reason: { type: String, enum: SEPARATION_REASONS, required: true }, endDate: { type: Date, required: true } }, { _id: false }),
      default: null,
    },
  },
  { collection: 'civil_servants', versionKey: false },
);
civilServantSchema.index({ iin: 1 }, { unique: true });
// Each list filter pairs with _id, the page order, so a filtered page is one index range.
civilServantSchema.index({ lastNameLower: 1, _id: 1 });
civilServantSchema.index({ currentStateBodyId: 1, _id: 1 });
civilServantSchema.index({ currentRegion: 1, _id: 1 });
civilServantSchema.index({ currentCategoryCode: 1, _id: 1 });
civilServantSchema.index({ corps: 1, _id: 1 });
civilServantSchema.index({ status: 1, _id: 1 });
civilServantSchema.index({ currentPositionId: 1 });

export interface AssignmentDoc {
  _id: Types.ObjectId;
  servantId: Types.ObjectId;
  positionId: Types.ObjectId;
  stateBodyId: Types.ObjectId;
  startDate: Date;
  endDate: Date | null;
  endReason: SeparationReason | null;
  orderNumber: string;
}

export const assignmentSchema = new Schema<AssignmentDoc>(
  {
    servantId: { type: ObjectId, required: true },
    positionId: { type: ObjectId, required: true },
    stateBodyId: { type: ObjectId, required: true },
    startDate: { type: Date, required: true },
    endDate: { type: Date, default: null },
    endReason: { type: String, enum: [...SEPARATION_REASONS, null], default: null },
    orderNumber: { type: String, required: true, trim: true, minlength: 1, maxlength: 40 },
  },
  { collection: 'assignments', versionKey: false },
);
// A document-level check: a path validator's `this` is a query, not the document, on updates.
assignmentSchema.pre('validate', function checkEndDate() {
  if (this.endDate && this.startDate && this.endDate.getTime() < this.startDate.getTime()) {
    this.invalidate('endDate', 'endDate must not be before startDate', this.endDate);
  }
});
assignmentSchema.index({ servantId: 1, startDate: -1 });
assignmentSchema.index({ positionId: 1, startDate: -1 });
// Headcount and turnover of a body over time.
assignmentSchema.index({ stateBodyId: 1, startDate: 1 });

export interface PersonnelActionDoc {
  _id: Types.ObjectId;
  servantId: Types.ObjectId;
  type: PersonnelActionType;
  /** Day the action takes effect. */
  date: Date;
  orderNumber: string;
  positionId: Types.ObjectId | null;
  stateBodyId: Types.ObjectId | null;
  reason: string | null;
  /** When the register recorded it. */
  recordedAt: Date;
}

export const personnelActionSchema = new Schema<PersonnelActionDoc>(
  {
    servantId: { type: ObjectId, required: true },
    type: { type: String, required: true, enum: PERSONNEL_ACTION_TYPES },
    date: { type: Date, required: true },
    orderNumber: { type: String, required: true, trim: true, minlength: 1, maxlength: 40 },
    positionId: { type: ObjectId, default: null },
    stateBodyId: { type: ObjectId, default: null },
    reason: { type: String, default: null },
    recordedAt: { type: Date, required: true },
  },
  { collection: 'personnel_actions', versionKey: false },
);
personnelActionSchema.index({ servantId: 1, date: -1 });
personnelActionSchema.index({ stateBodyId: 1, date: -1 });
personnelActionSchema.index({ date: -1 });
