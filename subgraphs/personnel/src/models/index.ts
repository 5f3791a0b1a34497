import type { Connection, Model } from 'mongoose';
import {
  assignmentSchema,
  civilServantSchema,
  personnelActionSchema,
  positionSchema,
  stateBodySchema,
  type AssignmentDoc,
  type CivilServantDoc,
  type PersonnelActionDoc,
  type PositionDoc,
  type StateBodyDoc,
} from './core';
import {
  corruptionRecordSchema,
  educationSchema,
  incentiveSchema,
  reserveMembershipSchema,
  rotationSchema,
  sanctionSchema,
  type CorruptionRecordDoc,
  type EducationDoc,
  type IncentiveDoc,
  type ReserveMembershipDoc,
  type RotationDoc,
  type SanctionDoc,
} from './history';

export * from './core';
export * from './history';
export * from './enums';

export interface PersonnelModels {
  CivilServant: Model<CivilServantDoc>;
  StateBody: Model<StateBodyDoc>;
  Position: Model<PositionDoc>;
  Assignment: Model<AssignmentDoc>;
  PersonnelAction: Model<PersonnelActionDoc>;
  Education: Model<EducationDoc>;
  ReserveMembership: Model<ReserveMembershipDoc>;
  Rotation: Model<RotationDoc>;
  Incentive: Model<IncentiveDoc>;
  Sanction: Model<SanctionDoc>;
  CorruptionRecord: Model<CorruptionRecordDoc>;
}

/** Registers the personnel models on `db` (never on the global mongoose); reuses them if already there. */
export function registerModels(db: Connection): PersonnelModels {
  const get = <T>(name: string, schema: Parameters<Connection['model']>[1]): Model<T> =>
    (db.models[name] as Model<T> | undefined) ?? (db.model(name, schema) as unknown as Model<T>);
  return {
    CivilServant: get<CivilServantDoc>('CivilServant', civilServantSchema),
    StateBody: get<StateBodyDoc>('StateBody', stateBodySchema),
    Position: get<PositionDoc>('Position', positionSchema),
    Assignment: get<AssignmentDoc>('Assignment', assignmentSchema),
    PersonnelAction: get<PersonnelActionDoc>('PersonnelAction', personnelActionSchema),
    Education: get<EducationDoc>('Education', educationSchema),
    ReserveMembership: get<ReserveMembershipDoc>('ReserveMembership', reserveMembershipSchema),
    Rotation: get<RotationDoc>('Rotation', rotationSchema),
    Incentive: get<IncentiveDoc>('Incentive', incentiveSchema),
    Sanction: get<SanctionDoc>('Sanction', sanctionSchema),
    CorruptionRecord: get<CorruptionRecordDoc>('CorruptionRecord', corruptionRecordSchema),
  };
}
