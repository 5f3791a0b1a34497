import {
  annualEvaluationExists,
  annualScore,
  assessmentRequired,
  bandFor,
  deriveEvaluations,
  evaluationDueDate,
  latestAnnualEvaluation,
  quarterOf,
  validateEvaluationInput,
  type EvaluationRules,
} from '../src/rules/evaluation';
import { latestPerCompetency } from '../src/rules/competencies';
import { DEFAULT_RULE_ENTRIES, rulesLookup, type EvaluationRuleEntry } from '../src/rules/reference';

const rulesAt = rulesLookup();
const rules = rulesAt(new Date(Date.UTC(2025, 0, 1)));
const day = (iso: string) => new Date(`${iso}T00:00:00Z`);
const iso = (d: Date) => d.toISOString().slice(0, 10);

describe('band thresholds (reference/evaluation-rules.json)', () => {
  it.each([
    [100, 'OUTSTANDING'],
    [90, 'OUTSTANDING'],
    [89.99, 'EFFECTIVE'],
    [70, 'EFFECTIVE'],
    [69.99, 'SATISFACTORY'],
    [50, 'SATISFACTORY'],
    [49.99, 'UNSATISFACTORY'],
    [0, 'UNSATISFACTORY'],
  ])('score %p is %s', (score, band) => {
    expect(bandFor(score, rules)).toBe(band);
  });

  it('uses the thresholds in force for the period, so a change of the law is not retroactive', () => {
    const stricter: EvaluationRules = { ...rules, bands: [{ band: 'OUTSTANDING', minScore: 95 }, ...rules.bands.slice(1)] };
    const entries: EvaluationRuleEntry[] = [
      { ...DEFAULT_RULE_ENTRIES[0], validTo: '2026-01-01' },
      { validFrom: '2026-01-01', validTo: null, value: stricter },
    ];
    const lookup = rulesLookup(entries);
    const quarters = [
      { year: 2025, quarter: 4, score: 92 },
      { year: 2026, quarter: 1, score: 92 },
    ];
    const evals = deriveEvaluations(quarters, day('2026-11-01'), lookup);
    const q = (y: number) => evals.find((e) => e.period === 'QUARTER' && e.year === y)!;
    expect(q(2025).band).toBe('OUTSTANDING');
    expect(q(2026).band).toBe('EFFECTIVE');
  });
});

describe('annual evaluation', () => {
  it('averages the recorded quarters', () => {
    expect(annualScore([80, 70, 90, 60])).toBe(75);
    expect(annualScore([71, 72, 72])).toBe(71.67);
    expect(() => annualScore([])).toThrow();
  });

  it('exists with four quarters, or after the year ended with at least one', () => {
    expect(annualEvaluationExists(2026, 4, day('2026-12-30'))).toBe(true);
    expect(annualEvaluationExists(2026, 3, day('2026-12-31'))).toBe(false);
    expect(annualEvaluationExists(2026, 3, day('2027-01-01'))).toBe(true);
    expect(annualEvaluationExists(2026, 0, day('2030-01-01'))).toBe(false);
  });

  it('lists the year most recent first, the annual entry before Q4..Q1', () => {
    const quarters = [
      { year: 2025, quarter: 1, score: 60 },
      { year: 2025, quarter: 3, score: 80 },
      { year: 2026, quarter: 2, score: 95 },
      { year: 2025, quarter: 2, score: 70 },
    ];
    const evals = deriveEvaluations(quarters, day('2026-08-01'), rulesAt);
    expect(evals.map((e) => `${e.year}-${e.period}-${e.quarter ?? ''}`)).toEqual([
      '2026-QUARTER-2',
      '2025-ANNUAL-',
      '2025-QUARTER-3',
      '2025-QUARTER-2',
      '2025-QUARTER-1',
    ]);
    expect(evals[1]).toEqual({ period: 'ANNUAL', year: 2025, quarter: null, score: 70, band: 'EFFECTIVE' });
    expect(deriveEvaluations(quarters, day('2026-08-01'), rulesAt, 2026)).toHaveLength(1);
    expect(deriveEvaluations(quarters, day('2026-08-01'), rulesAt, 2019)).toEqual([]);
  });

  it('latest annual band skips a current year without an annual evaluation', () => {
    const quarters = [
      { year: 2025, quarter: 1, score: 60 },
      { year: 2025, quarter: 2, score: 62 },
      { year: 2026, quarter: 1, score: 95 },
    ];
    expect(latestAnnualEvaluation(quarters, day('2026-06-01'), rulesAt)?.band).toBe('SATISFACTORY');
    expect(latestAnnualEvaluation(quarters, day('2027-01-01'), rulesAt)).toMatchObject({ year: 2026, band: 'OUTSTANDING' });
    expect(latestAnnualEvaluation([], day('2027-01-01'), rulesAt)).toBeNull();
  });
});

describe('assessment required', () => {
  it('is required below EFFECTIVE, not at or above, unknown without an annual band', () => {
    expect(assessmentRequired('SATISFACTORY', rules)).toBe(true);
    expect(assessmentRequired('UNSATISFACTORY', rules)).toBe(true);
    expect(assessmentRequired('EFFECTIVE', rules)).toBe(false);
    expect(assessmentRequired('OUTSTANDING', rules)).toBe(false);
    expect(assessmentRequired(null, rules)).toBeNull();
  });

  it('follows a configured required band', () => {
    expect(assessmentRequired('EFFECTIVE', { ...rules, requiredBand: 'OUTSTANDING' })).toBe(true);
    expect(assessmentRequired('SATISFACTORY', { ...rules, requiredBand: 'SATISFACTORY' })).toBe(false);
  });
});

describe('evaluationDueDate', () => {
  it('is the 20th of the month after the quarter', () => {
    expect(iso(evaluationDueDate(2026, 1))).toBe('2026-04-20');
    expect(iso(evaluationDueDate(2026, 2))).toBe('2026-07-20');
    expect(iso(evaluationDueDate(2026, 3))).toBe('2026-10-20');
    expect(iso(evaluationDueDate(2026, 4))).toBe('2027-01-20');
    expect(iso(evaluationDueDate(2026, 4, rules.dueDayOfFollowingMonth))).toBe('2027-01-20');
    expect(() => evaluationDueDate(2026, 5)).toThrow(RangeError);
  });

  it('quarterOf maps months to quarters', () => {
    expect([0, 2, 3, 5, 6, 8, 9, 11].map((m) => quarterOf(new Date(Date.UTC(2026, m, 15))))).toEqual([1, 1, 2, 2, 3, 3, 4, 4]);
  });
});

describe('validateEvaluationInput', () => {
  const today = day('2026-05-10');
  const check = (year: number, quarter: number, score: number) =>
    validateEvaluationInput({ year, quarter, score }, today, rulesAt);

  it('accepts a started quarter with a score on the scale', () => {
    expect(check(2026, 2, 0)).toBeNull();
    expect(check(2026, 1, 100)).toBeNull();
    expect(check(2015, 4, 77.5)).toBeNull();
  });

  it('names the field at fault', () => {
    expect(check(2026, 3, 80)?.field).toBe('quarter');
    expect(check(2027, 1, 80)?.field).toBe('year');
    expect(check(1999, 1, 80)?.field).toBe('year');
    expect(check(2025.5, 1, 80)?.field).toBe('year');
    expect(check(2026, 0, 80)?.field).toBe('quarter');
    expect(check(2026, 5, 80)?.field).toBe('quarter');
    expect(check(2026, 1, 100.01)?.field).toBe('score');
    expect(check(2026, 1, -1)?.field).toBe('score');
    expect(check(2026, 1, Number.NaN)?.field).toBe('score');
    expect(check(2026, 1, Number.POSITIVE_INFINITY)?.field).toBe('score');
  });
});

describe('latestPerCompetency', () => {
  it('keeps the latest level of each competency, ordered by code', () => {
    const rows = [
      { competencyCode: 'PROF-01', level: 2, assessedOn: day('2024-01-01') },
      { competencyCode: 'LEAD-02', level: 3, assessedOn: day('2025-01-01') },
      { competencyCode: 'PROF-01', level: 4, assessedOn: day('2025-06-01') },
      { competencyCode: 'PROF-01', level: 1, assessedOn: day('2023-06-01') },
    ];
    expect(latestPerCompetency(rows).map((r) => [r.competencyCode, r.level])).toEqual([
      ['LEAD-02', 3],
      ['PROF-01', 4],
    ]);
  });
});
