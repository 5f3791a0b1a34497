import { addDays, addMonths, isoDay, utcDay } from './dates';

/** Domain rules of training as pure functions: no database, no clock (callers pass `today`). */

export const TRAINING_TYPES = ['ADVANCED_TRAINING', 'RETRAINING', 'POSTGRADUATE', 'INTERNSHIP', 'ABROAD'] as const;
export type TrainingType = (typeof TRAINING_TYPES)[number];
export const TRAINING_FORMS = ['FULL_TIME', 'DISTANCE', 'BLENDED'] as const;
export type TrainingForm = (typeof TRAINING_FORMS)[number];
export const LEARNING_STATUSES = ['ENROLLED', 'COMPLETED', 'WITHDRAWN'] as const;
export type LearningStatus = (typeof LEARNING_STATUSES)[number];
export const RETRAINING_TRIGGERS = ['FIRST_ENTRY_CORPS_B', 'MANAGERIAL_APPOINTMENT'] as const;
export type RetrainingTrigger = (typeof RETRAINING_TRIGGERS)[number];

export interface HourBounds {
  min: number;
  /** null: no upper bound. */
  max: number | null;
}

export interface TrainingRules {
  trainingPeriodMonths: number;
  hourBounds: Record<TrainingType, HourBounds>;
  retraining: { windowMonths: number; triggers: RetrainingTrigger[] };
  enrolment: { maxDaysInPast: number; maxDaysInFuture: number };
  certificateNoMaxLength: number;
}

/** The rules in force on a day; throws when no entry covers it (a configuration error). */
export type RulesAt = (date: Date) => TrainingRules;

export interface RecordFacts {
  status: LearningStatus;
  endDate?: Date | null;
}

export interface Problem {
  field: string;
  message: string;
}

/** End date of the most recent COMPLETED record that ended by `today`; null if none. */
export function lastCompletedTraining(records: readonly RecordFacts[], today?: Date): Date | null {
  let last: Date | null = null;
  const limit = today ? utcDay(today).getTime() : Infinity;
  for (const r of records) {
    if (r.status !== 'COMPLETED' || !r.endDate) continue;
    if (r.endDate.getTime() > limit) continue;
    if (!last || r.endDate.getTime() > last.getTime()) last = r.endDate;
  }
  return last;
}

/**
 * Rule 3: overdue when no COMPLETED training ended within the training period before today.
 * A completion exactly `trainingPeriodMonths` ago still counts (the period is inclusive).
 */
export function isTrainingOverdue(records: readonly RecordFacts[], today: Date, rules: TrainingRules): boolean {
  const day = utcDay(today);
  const last = lastCompletedTraining(records, day);
  if (!last) return true;
  return last.getTime() < addMonths(day, -rules.trainingPeriodMonths).getTime();
}

/** The first day on which a servant becomes overdue, given the last completion; null if none. */
export function trainingDueBy(lastCompleted: Date | null, rules: TrainingRules): Date | null {
  return lastCompleted ? addDays(addMonths(utcDay(lastCompleted), rules.trainingPeriodMonths), 1) : null;
}

export function hourBoundsFor(type: TrainingType, rules: TrainingRules): HourBounds {
  return rules.hourBounds[type] ?? { min: 1, max: null };
}

function describeBounds(b: HourBounds): string {
  return b.max == null ? `at least ${b.min}` : `between ${b.min} and ${b.max}`;
}

/** A programme's length must fit its type (advanced training 8-80, retraining at least 120 hours). */
export function checkProgramHours(type: TrainingType, academicHours: number, rules: TrainingRules): Problem | null {
  const b = hourBoundsFor(type, rules);
  if (!Number.isInteger(academicHours) || academicHours < b.min || (b.max != null && academicHours > b.max)) {
    return { field: 'academicHours', message: `academicHours of a ${type} programme must be an integer ${describeBounds(b)}` };
  }
  return null;
}

export interface CompletionInput {
  startDate: Date;
  endDate: Date;
  hours: number;
  certificateNo?: string | null;
}

export interface ProgramFacts {
  type: TrainingType;
  academicHours: number;
}

/** Trims the certificate number; blank becomes null. */
export function normaliseCertificateNo(value: string | null | undefined): string | null {
  if (value == null) return null;
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

/** Checks a completion that does not depend on the record: dates against today, certificate shape. */
export function checkCompletionArguments(
  input: { endDate: Date; hours: number; certificateNo?: string | null },
  today: Date,
  rules: TrainingRules,
): Problem | null {
  if (utcDay(input.endDate).getTime() > utcDay(today).getTime()) {
    return { field: 'endDate', message: `endDate ${isoDay(input.endDate)} is in the future` };
  }
  if (!Number.isInteger(input.hours) || input.hours <= 0) {
    return { field: 'hours', message: 'hours must be a positive whole number of academic hours' };
  }
  const cert = normaliseCertificateNo(input.certificateNo);
  if (cert != null) {
    if (cert.length > rules.certificateNoMaxLength) {
      return { field: 'certificateNo', message: `certificateNo must be at most ${rules.certificateNoMaxLength} characters` };
    }
    // Certificate numbers are printed on paper and matched by people: no control characters.
    if ([...cert].some((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f)) {
      return { field: 'certificateNo', message: 'certificateNo must not contain control characters' };
    }
  }
  return null;
}

/** The full completion check against the enrolment and its programme. */
export function checkCompletion(input: CompletionInput, program: ProgramFacts, today: Date, rules: TrainingRules): Problem | null {
  const early = checkCompletionArguments(input, today, rules);
  if (early) return early;
  if (utcDay(input.endDate).getTime() < utcDay(input.startDate).getTime()) {
    return { field: 'endDate', message: `endDate must not be before the start date ${isoDay(input.startDate)}` };
  }
  const b = hourBoundsFor(program.type, rules);
  const max = b.max == null ? program.academicHours : Math.min(b.max, program.academicHours);
  if (input.hours < b.min || input.hours > max) {
    return {
      field: 'hours',
      message: `hours of a ${program.type} programme of ${program.academicHours} academic hours must be between ${b.min} and ${max}`,
    };
  }
  return null;
}

/** An enrolment's start date must be within the configured window around today. */
export function checkEnrolmentStart(startDate: Date, today: Date, rules: TrainingRules): Problem | null {
  const day = utcDay(today);
  const start = utcDay(startDate);
  if (start.getTime() < addDays(day, -rules.enrolment.maxDaysInPast).getTime()) {
    return { field: 'startDate', message: `startDate must not be more than ${rules.enrolment.maxDaysInPast} days in the past` };
  }
  if (start.getTime() > addDays(day, rules.enrolment.maxDaysInFuture).getTime()) {
    return { field: 'startDate', message: `startDate must not be more than ${rules.enrolment.maxDaysInFuture} days ahead` };
  }
  return null;
}

export interface RetrainingEvent {
  trigger: RetrainingTrigger;
  date: Date;
}

export interface RetrainingStatus {
  trigger: RetrainingTrigger;
  eventDate: Date;
  dueBy: Date;
  /** DONE: a retraining was completed on or after the event; PENDING: not yet due; OVERDUE: due and not done. */
  status: 'DONE' | 'PENDING' | 'OVERDUE';
  completedOn: Date | null;
}

export interface RetrainingRecordFacts extends RecordFacts {
  type: TrainingType;
}

/**
 * Rule 3 (second part): retraining is due within `windowMonths` of first entry to corps B or of
 * appointment to a managerial position. A RETRAINING completed on or after the event satisfies it
 * (late completion still clears the alert); one completed before the event does not.
 */
export function retrainingStatus(
  events: readonly RetrainingEvent[],
  records: readonly RetrainingRecordFacts[],
  today: Date,
  rules: TrainingRules,
): RetrainingStatus[] {
  const day = utcDay(today).getTime();
  const completions = records
    .filter((r) => r.type === 'RETRAINING' && r.status === 'COMPLETED' && r.endDate && r.endDate.getTime() <= day)
    .map((r) => r.endDate as Date)
    .sort((a, b) => a.getTime() - b.getTime());
  return events
    .filter((e) => rules.retraining.triggers.includes(e.trigger))
    .map((e) => {
      const eventDate = utcDay(e.date);
      const dueBy = addMonths(eventDate, rules.retraining.windowMonths);
      const completedOn = completions.find((c) => c.getTime() >= eventDate.getTime()) ?? null;
      const status = completedOn ? 'DONE' : day > dueBy.getTime() ? 'OVERDUE' : 'PENDING';
      return { trigger: e.trigger, eventDate, dueBy, status, completedOn };
    });
}

/** True when any retraining obligation is past due and not fulfilled. */
export function isRetrainingOverdue(
  events: readonly RetrainingEvent[],
  records: readonly RetrainingRecordFacts[],
  today: Date,
  rules: TrainingRules,
): boolean {
  return retrainingStatus(events, records, today, rules).some((s) => s.status === 'OVERDUE');
}
