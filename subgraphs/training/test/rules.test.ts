import { DEFAULT_RULE_ENTRIES, rulesLookup } from '../src/rules/reference';
import { addMonths } from '../src/rules/dates';
import {
  checkCompletion,
  checkCompletionArguments,
  checkEnrolmentStart,
  checkProgramHours,
  isRetrainingOverdue,
  isTrainingOverdue,
  lastCompletedTraining,
  normaliseCertificateNo,
  retrainingStatus,
  trainingDueBy,
  type RecordFacts,
  type TrainingRules,
} from '../src/rules/training';

const d = (iso: string) => new Date(`${iso}T00:00:00Z`);
const rules: TrainingRules = rulesLookup()(d('2026-11-24'));
const TODAY = d('2026-11-24');

describe('reference data', () => {
  it('ships a 36-month period and the statutory hour bounds', () => {
    expect(rules.trainingPeriodMonths).toBe(36);
    expect(rules.hourBounds.ADVANCED_TRAINING).toEqual({ min: 8, max: 80 });
    expect(rules.hourBounds.RETRAINING).toEqual({ min: 120, max: null });
    expect(rules.retraining.windowMonths).toBe(6);
  });

  it('picks the entry in force on the day, and refuses a day no entry covers', () => {
    const lookup = rulesLookup([
      { validFrom: '2016-01-01', validTo: '2024-01-01', value: { ...rules, trainingPeriodMonths: 36 } },
      { validFrom: '2024-01-01', validTo: null, value: { ...rules, trainingPeriodMonths: 24 } },
    ]);
    expect(lookup(d('2023-12-31')).trainingPeriodMonths).toBe(36);
    expect(lookup(d('2024-01-01')).trainingPeriodMonths).toBe(24);
    expect(() => lookup(d('2015-06-01'))).toThrow(/no training rules/);
    expect(DEFAULT_RULE_ENTRIES.length).toBeGreaterThan(0);
  });
});

describe('training overdue (rule 3)', () => {
  const completed = (end: string): RecordFacts => ({ status: 'COMPLETED', endDate: d(end) });

  it('a servant with no records at all is overdue', () => {
    expect(isTrainingOverdue([], TODAY, rules)).toBe(true);
  });

  it('a completion exactly 36 months ago still counts; one day earlier does not', () => {
    expect(isTrainingOverdue([completed('2023-11-24')], TODAY, rules)).toBe(false);
    expect(isTrainingOverdue([completed('2023-11-23')], TODAY, rules)).toBe(true);
  });

  it('only COMPLETED records count, not enrolments or withdrawals', () => {
    const records: RecordFacts[] = [
      { status: 'ENROLLED', endDate: null },
      { status: 'WITHDRAWN', endDate: null },
      completed('2021-05-10'),
    ];
    expect(isTrainingOverdue(records, TODAY, rules)).toBe(true);
    expect(lastCompletedTraining(records, TODAY)).toEqual(d('2021-05-10'));
  });

  it('uses the most recent completion regardless of order, and ignores ones dated after today', () => {
    const records = [completed('2020-01-10'), completed('2025-03-01'), completed('2022-07-07'), completed('2027-01-01')];
    expect(lastCompletedTraining(records, TODAY)).toEqual(d('2025-03-01'));
    expect(isTrainingOverdue(records, TODAY, rules)).toBe(false);
  });

  it('follows a shortened period from the reference data', () => {
    const short = { ...rules, trainingPeriodMonths: 12 };
    expect(isTrainingOverdue([completed('2025-03-01')], TODAY, short)).toBe(true);
  });

  it('tells the first overdue day', () => {
    expect(trainingDueBy(d('2023-11-24'), rules)).toEqual(d('2026-11-25'));
    expect(trainingDueBy(null, rules)).toBeNull();
  });

  it('counts months by the calendar (29 February, 31st of a month)', () => {
    expect(addMonths(d('2024-02-29'), -36)).toEqual(d('2021-02-28'));
    expect(addMonths(d('2026-03-31'), -1)).toEqual(d('2026-02-28'));
  });
});

describe('programme hour bounds by type', () => {
  it('advanced training must be 8 to 80 academic hours', () => {
    expect(checkProgramHours('ADVANCED_TRAINING', 8, rules)).toBeNull();
    expect(checkProgramHours('ADVANCED_TRAINING', 80, rules)).toBeNull();
    expect(checkProgramHours('ADVANCED_TRAINING', 7, rules)?.field).toBe('academicHours');
    expect(checkProgramHours('ADVANCED_TRAINING', 81, rules)?.field).toBe('academicHours');
  });

  it('retraining must be at least 120 hours, with no upper bound', () => {
    expect(checkProgramHours('RETRAINING', 119, rules)?.message).toMatch(/at least 120/);
    expect(checkProgramHours('RETRAINING', 1200, rules)).toBeNull();
  });
});

describe('completion checks', () => {
  const advanced = { type: 'ADVANCED_TRAINING' as const, academicHours: 36 };
  const base = { startDate: d('2026-10-05'), endDate: d('2026-10-20'), hours: 36, certificateNo: 'APA-2026-000001' };

  it('accepts a completion within the bounds', () => {
    expect(checkCompletion(base, advanced, TODAY, rules)).toBeNull();
    expect(checkCompletion({ ...base, endDate: d('2026-10-05'), hours: 8 }, advanced, TODAY, rules)).toBeNull();
  });

  it('refuses an end date before the start or in the future, naming endDate', () => {
    expect(checkCompletion({ ...base, endDate: d('2026-10-04') }, advanced, TODAY, rules)?.field).toBe('endDate');
    expect(checkCompletion({ ...base, endDate: d('2026-11-25') }, advanced, TODAY, rules)?.field).toBe('endDate');
  });

  it('refuses hours outside the type bounds or above the programme length, naming hours', () => {
    expect(checkCompletion({ ...base, hours: 7 }, advanced, TODAY, rules)?.field).toBe('hours');
    expect(checkCompletion({ ...base, hours: 37 }, advanced, TODAY, rules)?.field).toBe('hours');
    expect(checkCompletion({ ...base, hours: 0 }, advanced, TODAY, rules)?.field).toBe('hours');
    expect(checkCompletion({ ...base, hours: 12.5 }, advanced, TODAY, rules)?.field).toBe('hours');
    const retraining = { type: 'RETRAINING' as const, academicHours: 144 };
    expect(checkCompletion({ ...base, hours: 100 }, retraining, TODAY, rules)?.field).toBe('hours');
    expect(checkCompletion({ ...base, hours: 144 }, retraining, TODAY, rules)).toBeNull();
  });

  it('trims certificate numbers and refuses over-long or control-character ones', () => {
    expect(normaliseCertificateNo('  APA-1  ')).toBe('APA-1');
    expect(normaliseCertificateNo('   ')).toBeNull();
    expect(normaliseCertificateNo(undefined)).toBeNull();
    expect(checkCompletionArguments({ endDate: base.endDate, hours: 8, certificateNo: 'x'.repeat(65) }, TODAY, rules)?.field).toBe('certificateNo');
    expect(checkCompletionArguments({ endDate: base.endDate, hours: 8, certificateNo: ` ${'x'.repeat(64)} ` }, TODAY, rules)).toBeNull();
    expect(checkCompletionArguments({ endDate: base.endDate, hours: 8, certificateNo: 'A\nB' }, TODAY, rules)?.field).toBe('certificateNo');
  });
});

describe('enrolment start date', () => {
  it('accepts dates within a year either side of today and refuses others', () => {
    expect(checkEnrolmentStart(d('2026-10-05'), TODAY, rules)).toBeNull();
    expect(checkEnrolmentStart(d('2027-06-01'), TODAY, rules)).toBeNull();
    expect(checkEnrolmentStart(d('2024-01-01'), TODAY, rules)?.field).toBe('startDate');
    expect(checkEnrolmentStart(d('2028-06-01'), TODAY, rules)?.field).toBe('startDate');
  });
});

describe('retraining due within 6 months of first entry to corps B or of a managerial appointment', () => {
  const entry = { trigger: 'FIRST_ENTRY_CORPS_B' as const, date: d('2026-01-15') };

  it('is pending inside the window and overdue after it', () => {
    expect(retrainingStatus([entry], [], d('2026-07-15'), rules)[0]).toMatchObject({ status: 'PENDING', dueBy: d('2026-07-15') });
    expect(retrainingStatus([entry], [], d('2026-07-16'), rules)[0].status).toBe('OVERDUE');
    expect(isRetrainingOverdue([entry], [], d('2026-07-16'), rules)).toBe(true);
  });

  it('is satisfied by a RETRAINING completed after the event, even late; not by advanced training', () => {
    const retraining = { type: 'RETRAINING' as const, status: 'COMPLETED' as const, endDate: d('2026-09-01') };
    const advanced = { type: 'ADVANCED_TRAINING' as const, status: 'COMPLETED' as const, endDate: d('2026-03-01') };
    expect(retrainingStatus([entry], [advanced], TODAY, rules)[0].status).toBe('OVERDUE');
    expect(retrainingStatus([entry], [advanced, retraining], TODAY, rules)[0]).toMatchObject({ status: 'DONE', completedOn: d('2026-09-01') });
  });

  it('a retraining completed before the appointment does not count for it', () => {
    const before = { type: 'RETRAINING' as const, status: 'COMPLETED' as const, endDate: d('2025-12-01') };
    const appointment = { trigger: 'MANAGERIAL_APPOINTMENT' as const, date: d('2026-02-01') };
    expect(isRetrainingOverdue([appointment], [before], TODAY, rules)).toBe(true);
    expect(isRetrainingOverdue([appointment], [before], d('2026-05-01'), rules)).toBe(false);
  });

  it('ignores triggers the rules in force no longer list', () => {
    const noManagers = { ...rules, retraining: { windowMonths: 6, triggers: ['FIRST_ENTRY_CORPS_B' as const] } };
    expect(retrainingStatus([{ trigger: 'MANAGERIAL_APPOINTMENT', date: d('2020-01-01') }], [], TODAY, noManagers)).toEqual([]);
  });
});
