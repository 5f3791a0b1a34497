/** Enum values of schema/personnel.graphql, for mongoose validation and the seeder. */

export const REGIONS = [
  'ABAI', 'AKMOLA', 'AKTOBE', 'ALMATY_REGION', 'ATYRAU', 'WEST_KAZAKHSTAN', 'ZHAMBYL', 'ZHETISU', 'KARAGANDA',
  'KOSTANAY', 'KYZYLORDA', 'MANGYSTAU', 'PAVLODAR', 'NORTH_KAZAKHSTAN', 'TURKISTAN', 'ULYTAU', 'EAST_KAZAKHSTAN',
  'ASTANA', 'ALMATY', 'SHYMKENT',
] as const;
export type Region = (typeof REGIONS)[number];
/** The three cities of republican significance; the other 17 regions are oblasts. */
export const CITIES: readonly Region[] = ['ASTANA', 'ALMATY', 'SHYMKENT'];

export { STATE_BODY_LEVELS, type StateBodyLevel } from '../rules/rotation';

export const GENDERS = ['MALE', 'FEMALE'] as const;
export type Gender = (typeof GENDERS)[number];
export const SERVICE_TYPES = ['POLITICAL', 'ADMINISTRATIVE'] as const;
export type ServiceType = (typeof SERVICE_TYPES)[number];
export const CORPS = ['A', 'B'] as const;
export type Corps = (typeof CORPS)[number];
export const SERVANT_STATUSES = ['ACTIVE', 'ON_LEAVE', 'DISMISSED', 'RETIRED'] as const;
export type ServantStatus = (typeof SERVANT_STATUSES)[number];
/** Statuses of someone who holds a position now. */
export const IN_SERVICE: readonly ServantStatus[] = ['ACTIVE', 'ON_LEAVE'];

export const SEPARATION_REASONS = [
  'TRANSFER', 'ROTATION', 'RESIGNATION', 'RETIREMENT', 'DISMISSAL_ETHICS', 'DISMISSAL_DISCREDIT', 'DISMISSAL_CORRUPTION',
  'REORGANIZATION',
] as const;
export type SeparationReason = (typeof SEPARATION_REASONS)[number];
/** Reasons that end a career move inside the service rather than a separation from it. */
export const MOVE_REASONS: readonly SeparationReason[] = ['TRANSFER', 'ROTATION'];

export const EDUCATION_DEGREES = ['VOCATIONAL', 'BACHELOR', 'SPECIALIST', 'MASTER', 'PHD', 'CANDIDATE_OF_SCIENCES', 'DOCTOR_OF_SCIENCES'] as const;
export const RESERVE_TYPES = ['CORPS_A', 'PRESIDENTIAL_YOUTH', 'STATE_BODY'] as const;
export const RESERVE_STATUSES = ['ACTIVE', 'APPOINTED', 'EXPIRED', 'EXCLUDED'] as const;
export const ROTATION_SCHEMES = ['CENTER_TO_REGION', 'REGION_TO_CENTER', 'INTERREGIONAL', 'INTERSECTORAL'] as const;
export const INCENTIVE_TYPES = ['BONUS', 'GRATITUDE', 'CERTIFICATE_OF_MERIT', 'BEST_EMPLOYEE_TITLE', 'STATE_AWARD'] as const;
export const SANCTION_TYPES = ['REMARK', 'REPRIMAND', 'SEVERE_REPRIMAND', 'WARNING_INCOMPLETE_COMPLIANCE', 'DEMOTION', 'DISMISSAL'] as const;
export const CORRUPTION_DECISION_TYPES = ['CONVICTION', 'ADMINISTRATIVE_PENALTY', 'DISCIPLINARY_OFFENCE'] as const;
export const CORRUPTION_SOURCES = ['COURT', 'ANTI_CORRUPTION_AGENCY', 'PROSECUTOR_GENERAL_OFFICE'] as const;
export const PERSONNEL_ACTION_TYPES = ['HIRE', 'REHIRE', 'TRANSFER', 'ROTATION', 'DISMISSAL', 'SANCTION', 'INCENTIVE'] as const;
export type PersonnelActionType = (typeof PERSONNEL_ACTION_TYPES)[number];
