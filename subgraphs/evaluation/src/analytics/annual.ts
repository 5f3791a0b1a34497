import type { Stage } from '@civil-service/shared';
import { QUARTERS_COLLECTION } from '../models';
import { BANDS, isBandBelow, quarterOf, yearEnd, type Band, type EvaluationRules, type RulesAt } from '../rules/evaluation';

/**
 * Aggregation stages that compute, for each directory entry in the pipeline, its latest annual
 * evaluation as of a day, with exactly the arithmetic of `latestAnnualEvaluation` (the
 * `latestAnnualBand` field), so that a segment's measures and the alert list agree with the
 * per-servant fields servant by servant:
 *
 * - a quarter counts once it has started by the day (years before, and this year's quarters up to
 *   the day's quarter): asked about the past, a later quarter recorded since does not count;
 * - a year has an annual evaluation when its four quarters are recorded, or when it has ended
 *   (the day is in a later year) with at least one quarter recorded;
 * - the score is the mean of the year's quarters, summed Q4 first from 0 as `annualScore` sums
 *   them, rounded to 2 decimals as Math.round does (floor(x + 0.5) for the non-negative scores);
 * - the band follows the thresholds in force on 31 December of that year, as a `$switch` built
 *   from the effective-dated rules for every year that can occur.
 *
 * Adds `ay` (the year, or null), `n` (its quarters), `score` and `band` (null without one) and,
 * with `withRecordedAt`, `lastRecordedAt` (when the last of that year's quarters was recorded).
 */


/** The schema's lowest year: bands are built for every year from here to the day's. */
const FIRST_YEAR = 1990;

const e = (field: string) => `$$e.${field}`;

/** `$filter` over the looked-up quarters. */
const quartersWhere = (input: string, cond: unknown) => ({ $filter: { input, as: 'e', cond } });

/** The band `$switch` of one set of thresholds: the first band whose minScore the score reaches. */
function thresholdSwitch(rules: EvaluationRules, score: string): unknown {
  const last = rules.bands[rules.bands.length - 1].band;
  return { $switch: { branches: rules.bands.map(({ band, minScore }) => ({ case: { $gte: [score, minScore] }, then: band })), default: last } };
}

/**
 * The band of `score` for the year in `year`, by the rules of 31 December of that year; years
 * with the same thresholds share a branch, so a change of the law adds one branch. A year no
 * rules cover has no band (null), where the field would fail.
 */
export function bandExpression(rulesAt: RulesAt, lastYear: number, year: string, score: string): unknown {
  const ranges: Array<{ from: number; to: number; rules: EvaluationRules }> = [];
  for (let y = FIRST_YEAR; y <= lastYear; y++) {
    let rules: EvaluationRules;
    try {
      rules = rulesAt(yearEnd(y));
    } catch {
      continue;
    }
    const prev = ranges.at(-1);
    if (prev && prev.to === y - 1 && JSON.stringify(prev.rules.bands) === JSON.stringify(rules.bands)) prev.to = y;
    else ranges.push({ from: y, to: y, rules });
  }
  return {
    $switch: {
      branches: ranges.map((r) => ({ case: { $and: [{ $gte: [year, r.from] }, { $lte: [year, r.to] }] }, then: thresholdSwitch(r.rules, score) })),
      default: null,
    },
  };
}

/** The bands below the band required on `day`: whose servants must be assessed (as `assessmentRequired`). */
export function bandsRequiringAssessment(rulesAt: RulesAt, day: Date): Band[] {
  const rules = rulesAt(day);
  return BANDS.filter((band) => rules.bands.some((b) => b.band === band) && isBandBelow(band, rules.requiredBand, rules));
}

export interface AnnualStagesOptions {
  /** The day the evaluation is as of (UTC midnight). */
  day: Date;
  rulesAt: RulesAt;
  /** Fields of the entry to carry through (e.g. `seg`). */
  keep: readonly string[];
  withRecordedAt?: boolean;
}

/**
 * The stages, to follow a directory `$match`: one `$lookup` on `servantId` (the unique
 * (servantId, year, quarter) index serves it; the equality form, which the embedded server answers
 * with one hash join instead of a scan per servant), then per-entry arithmetic on at most a few
 * years of quarters.
 */
export function annualStages({ day, rulesAt, keep, withRecordedAt = false }: AnnualStagesOptions): Stage[] {
  const year = day.getUTCFullYear();
  const quarter = quarterOf(day);
  // _id always: an empty $project is an error on a real server.
  const carry: Record<string, 1> = { _id: 1, ...Object.fromEntries(keep.map((k) => [k, 1])) };
  const started = { $or: [{ $lt: [e('year'), year] }, { $and: [{ $eq: [e('year'), year] }, { $lte: [e('quarter'), quarter] }] }] };
  const fields: Record<string, string> = { year: e('year'), quarter: e('quarter'), score: e('score') };
  if (withRecordedAt) fields.recordedAt = e('recordedAt');
  const scoreOfQuarter = {
    $ifNull: [{ $arrayElemAt: [{ $map: { input: quartersWhere('$qa', { $eq: [e('quarter'), '$$this'] }), as: 'e', in: e('score') } }, 0] }, 0],
  };
  return [
    { $project: carry },
    { $lookup: { from: QUARTERS_COLLECTION, localField: '_id', foreignField: 'servantId', as: 'q' } },
    { $project: { ...carry, q: { $map: { input: quartersWhere('$q', started), as: 'e', in: fields } } } },
    {
      $addFields: {
        ay: {
          $cond: [
            { $gte: [{ $size: quartersWhere('$q', { $eq: [e('year'), year] }) }, 4] },
            year,
            { $max: { $map: { input: quartersWhere('$q', { $lt: [e('year'), year] }), as: 'e', in: e('year') } } },
          ],
        },
      },
    },
    { $project: { ...carry, ay: 1, qa: quartersWhere('$q', { $eq: [e('year'), '$ay'] }) } },
    {
      $addFields: {
        n: { $size: '$qa' },
        // Q4 first, from 0, one addition per quarter (+0 for a missing one changes no bit): the order annualScore sums in.
        sum: { $reduce: { input: [4, 3, 2, 1], initialValue: 0, in: { $add: ['$$value', scoreOfQuarter] } } },
        ...(withRecordedAt ? { lastRecordedAt: { $max: '$qa.recordedAt' } } : {}),
      },
    },
    {
      $addFields: {
        score: { $cond: [{ $gt: ['$n', 0] }, { $divide: [{ $floor: { $add: [{ $multiply: [{ $divide: ['$sum', '$n'] }, 100] }, 0.5] } }, 100] }, null] },
      },
    },
    { $addFields: { band: { $cond: [{ $gt: ['$n', 0] }, bandExpression(rulesAt, year, '$ay', '$score'), null] } } },
  ];
}
