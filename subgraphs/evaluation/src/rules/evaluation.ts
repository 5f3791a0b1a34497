/**
 * Domain rules of performance evaluation, as pure functions of the data and of the rules in force.
 * Calendar dates are UTC calendar dates: the register records dates, not instants.
 */

export const BANDS = ['OUTSTANDING', 'EFFECTIVE', 'SATISFACTORY', 'UNSATISFACTORY'] as const;
export type Band = (typeof BANDS)[number];

export interface EvaluationRules {
  scoreMin: number;
  scoreMax: number;
  /** Best first; a score belongs to the first band whose `minScore` it reaches. */
  bands: { band: Band; minScore: number }[];
  requiredBand: Band;
  dueDayOfFollowingMonth: number;
  earliestYear: number;
}

/** Looks up the rules in force on a date (the reference data is effective-dated). */
export type RulesAt = (date: Date) => EvaluationRules;

export interface QuarterRecord {
  year: number;
  quarter: number;
  score: number;
}

export interface EvaluationView {
  period: 'QUARTER' | 'ANNUAL';
  year: number;
  quarter: number | null;
  score: number;
  band: Band;
}

export function bandFor(score: number, rules: EvaluationRules): Band {
  for (const { band, minScore } of rules.bands) {
    if (score >= minScore) return band;
  }
  // Only reachable with a score below the lowest threshold, which validation refuses.
  return rules.bands[rules.bands.length - 1].band;
}

/** True when `band` ranks below `required` (bands are ordered best first in the rules). */
export function isBandBelow(band: Band, required: Band, rules: EvaluationRules): boolean {
  const order = rules.bands.map((b) => b.band);
  const rank = order.indexOf(band);
  const requiredRank = order.indexOf(required);
  if (rank < 0 || requiredRank < 0) throw new Error(`band ${band} or ${required} is not in the rules`);
  return rank > requiredRank;
}

/** First day of a quarter. */
export function quarterStart(year: number, quarter: number): Date {
  return new Date(Date.UTC(year, (quarter - 1) * 3, 1));
}

/** Last day of a quarter. */
export function quarterEnd(year: number, quarter: number): Date {
  return new Date(Date.UTC(year, quarter * 3, 0));
}

/** Last day of a year: the date whose rules judge that year's annual evaluation. */
export function yearEnd(year: number): Date {
  return new Date(Date.UTC(year, 11, 31));
}

/**
 * Date by which a quarter's evaluation must be recorded: the given day (the 20th by default) of
 * the month after the quarter, so Q4 is due in January of the next year.
 */
export function evaluationDueDate(year: number, quarter: number, dueDay = 20): Date {
  if (!Number.isInteger(quarter) || quarter < 1 || quarter > 4) throw new RangeError(`quarter ${quarter} is not 1-4`);
  return new Date(Date.UTC(year, quarter * 3, dueDay));
}

/** Quarter (1-4) a date falls in. */
export function quarterOf(date: Date): number {
  return Math.floor(date.getUTCMonth() / 3) + 1;
}

/**
 * The annual score is the average of the year's recorded quarters; rounded to two decimals so
 * that the same quarters always give the same score whatever the order of summation.
 */
export function annualScore(scores: readonly number[]): number {
  if (scores.length === 0) throw new RangeError('an annual score needs at least one quarter');
  const sum = scores.reduce((a, b) => a + b, 0);
  return Math.round((sum / scores.length) * 100) / 100;
}

/**
 * An annual evaluation of a year exists once all four quarters are recorded, or once the year
 * has ended with at least one quarter recorded (the missing ones are late, not awaited).
 */
export function annualEvaluationExists(year: number, quartersRecorded: number, today: Date): boolean {
  if (quartersRecorded >= 4) return true;
  return quartersRecorded > 0 && today.getTime() >= Date.UTC(year + 1, 0, 1);
}

/**
 * Quarterly and annual evaluations of the given quarters, most recent first: years descending,
 * and within a year the annual evaluation (which sums up the year) before Q4, Q3, Q2, Q1.
 * With `year`, only that year's entries.
 */
export function deriveEvaluations(
  quarters: readonly QuarterRecord[],
  today: Date,
  rulesAt: RulesAt,
  year?: number | null,
): EvaluationView[] {
  const byYear = new Map<number, QuarterRecord[]>();
  for (const q of quarters) {
    if (year != null && q.year !== year) continue;
    const list = byYear.get(q.year);
    if (list) list.push(q);
    else byYear.set(q.year, [q]);
  }
  const out: EvaluationView[] = [];
  for (const y of [...byYear.keys()].sort((a, b) => b - a)) {
    const list = byYear.get(y)!.slice().sort((a, b) => b.quarter - a.quarter);
    if (annualEvaluationExists(y, list.length, today)) {
      const score = annualScore(list.map((q) => q.score));
      out.push({ period: 'ANNUAL', year: y, quarter: null, score, band: bandFor(score, rulesAt(yearEnd(y))) });
    }
    for (const q of list) {
      out.push({
        period: 'QUARTER',
        year: y,
        quarter: q.quarter,
        score: q.score,
        band: bandFor(q.score, rulesAt(quarterStart(y, q.quarter))),
      });
    }
  }
  return out;
}

/** The latest annual evaluation among the quarters, or null when no year has one yet. */
export function latestAnnualEvaluation(
  quarters: readonly QuarterRecord[],
  today: Date,
  rulesAt: RulesAt,
): EvaluationView | null {
  const years = [...new Set(quarters.map((q) => q.year))].sort((a, b) => b - a);
  for (const y of years) {
    const annual = deriveEvaluations(quarters, today, rulesAt, y).find((e) => e.period === 'ANNUAL');
    if (annual) return annual;
  }
  return null;
}

/**
 * Whether the servant must be assessed (Concept 2.4): the latest annual band is below the band
 * required today. Null when there is no annual evaluation to judge by.
 */
export function assessmentRequired(latestBand: Band | null, rulesToday: EvaluationRules): boolean | null {
  if (latestBand == null) return null;
  return isBandBelow(latestBand, rulesToday.requiredBand, rulesToday);
}

export interface DueQuarter {
  year: number;
  quarter: number;
  /** The last day to record it (inclusive). */
  due: Date;
}

/** Due date of a quarter: the day of the following month in force on the quarter's last day (as the seeder uses). */
export function dueDateOf(year: number, quarter: number, rulesAt: RulesAt): Date {
  return evaluationDueDate(year, quarter, rulesAt(quarterEnd(year, quarter)).dueDayOfFollowingMonth);
}

/** The most recent quarter whose due date has passed on `today`'s UTC date (the due day itself is still in time). */
export function latestOverdueQuarter(today: Date, rulesAt: RulesAt): DueQuarter {
  let year = today.getUTCFullYear();
  let quarter = quarterOf(today);
  const day = Date.UTC(year, today.getUTCMonth(), today.getUTCDate());
  for (;;) {
    quarter -= 1;
    if (quarter === 0) {
      quarter = 4;
      year -= 1;
    }
    const due = dueDateOf(year, quarter, rulesAt);
    if (due.getTime() < day) return { year, quarter, due };
  }
}
export interface InputProblem {
  field: string;
  message: string;
}

export interface EvaluationInputValues {
  year: number;
  quarter: number;
  score: number;
}

/**
 * Checks a quarterly score to record. A quarter may be recorded once it has started (supervisors
 * evaluate in the quarter's last weeks, before the due date), never for a quarter still to come.
 */
export function validateEvaluationInput(
  input: EvaluationInputValues,
  today: Date,
  rulesAt: RulesAt,
): InputProblem | null {
  const { year, quarter, score } = input;
  const rulesToday = rulesAt(today);
  const currentYear = today.getUTCFullYear();
  if (!Number.isInteger(year) || year < rulesToday.earliestYear || year > currentYear) {
    return { field: 'year', message: `year must be a year from ${rulesToday.earliestYear} to ${currentYear}` };
  }
  if (!Number.isInteger(quarter) || quarter < 1 || quarter > 4) {
    return { field: 'quarter', message: 'quarter must be 1, 2, 3 or 4' };
  }
  if (quarterStart(year, quarter).getTime() > today.getTime()) {
    return { field: 'quarter', message: `quarter ${quarter} of ${year} has not started yet` };
  }
  const rules = rulesAt(quarterStart(year, quarter));
  if (typeof score !== 'number' || !Number.isFinite(score) || score < rules.scoreMin || score > rules.scoreMax) {
    return { field: 'score', message: `score must be a number from ${rules.scoreMin} to ${rules.scoreMax}` };
  }
  return null;
}
