import type { Connection, Model } from 'mongoose';
import { BatchWriter, datedIdFactory, renewCounter, utcDay, type Rng, type RosterEntry, type StateBodyEntry } from '@civil-service/shared';
import catalogue from '../reference/competencies.json';
import { QUARTERS_COUNTER, registerModels, type AssessmentResult } from './models';
import {
  annualScore,
  bandFor,
  evaluationDueDate,
  isBandBelow,
  latestOverdueQuarter,
  quarterEnd,
  yearEnd,
  type RulesAt,
} from './rules/evaluation';
import { rulesLookup } from './rules/reference';

export interface SeedEvaluationOptions {
  roster: readonly RosterEntry[];
  bodies: readonly StateBodyEntry[];
  rng: Rng;
  onProgress?: (servantsProcessed: number) => void;
  /** The day the demo data is as of; the same seed and day give the same data. */
  today?: Date;
  batchSize?: number;
}

export interface SeedEvaluationCounts {
  competencies: number;
  quarterlyEvaluations: number;
  assessments: number;
  competencyAssessments: number;
}

const DAY = 86_400_000;

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

/**
 * A servant's typical performance: most are effective, about 12% below (so some must be
 * assessed), a few outstanding. Quarterly scores scatter around it.
 */
function baseScore(rng: Rng): number {
  const r = rng.next();
  if (r < 0.05) return rng.int(90, 97);
  if (r < 0.86) return rng.int(72, 88);
  if (r < 0.97) return rng.int(53, 67);
  return rng.int(32, 48);
}

function competencyLevel(rng: Rng): number {
  const r = rng.next();
  if (r < 0.05) return 1;
  if (r < 0.25) return 2;
  if (r < 0.65) return 3;
  if (r < 0.93) return 4;
  return 5;
}

function assessmentResult(rng: Rng): AssessmentResult {
  const r = rng.next();
  if (r < 0.55) return 'PASSED';
  if (r < 0.85) return 'REASSESSMENT';
  return 'FAILED';
}

async function clear(model: Model<never>): Promise<void> {
  // Dropping is far cheaper than deleting 500,000 documents; indexes are rebuilt after the load.
  await model.init();
  await model.collection.drop().catch((err: { code?: number; codeName?: string }) => {
    if (err.code !== 26 && err.codeName !== 'NamespaceNotFound') throw err;
  });
}

/**
 * Demo evaluation data for a roster. Corps B servants get quarterly scores for the last full
 * year and the ended quarters of the current one. Corps A servants are evaluated annually against
 * their body's targets by a procedure this subgraph does not record, and political servants are
 * not evaluated, so neither gets quarterly scores; both may hold competency assessments.
 */
export async function seedEvaluation(
  db: Connection,
  { roster, rng, onProgress, today: todayOption, batchSize = 5000 }: SeedEvaluationOptions,
): Promise<{ counts: SeedEvaluationCounts }> {
  const models = registerModels(db);
  const all = [models.QuarterlyEvaluation, models.Assessment, models.Competency, models.CompetencyAssessment] as unknown as Model<never>[];
  for (const model of all) await clear(model);

  const today = utcDay(todayOption ?? new Date());
  const rulesAt: RulesAt = rulesLookup();
  const currentYear = today.getUTCFullYear();
  const lastYear = currentYear - 1;
  const periods: { year: number; quarter: number }[] = [];
  for (const year of [lastYear, currentYear]) {
    for (let quarter = 1; quarter <= 4; quarter++) {
      if (quarterEnd(year, quarter).getTime() < today.getTime()) periods.push({ year, quarter });
    }
  }
  const latestPeriod = periods[periods.length - 1];
  // The quarter the EVALUATION_MISSING alert looks at today; a later day only adds overdue quarters.
  const overdue = latestOverdueQuarter(today, rulesAt);
  let inServiceCorpsB = 0;

  const catalogueDocs = catalogue.competencies.map((c) => ({ ...c }));
  await models.Competency.collection.insertMany(catalogueDocs, { ordered: false });
  const management = catalogueDocs.filter((c) => c.cluster === 'management').map((c) => c.code);
  const others = catalogueDocs.filter((c) => c.cluster !== 'management').map((c) => c.code);

  const quarters = new BatchWriter(models.QuarterlyEvaluation as unknown as Model<never>, batchSize);
  const assessments = new BatchWriter(models.Assessment as unknown as Model<never>, batchSize);
  const competencies = new BatchWriter(models.CompetencyAssessment as unknown as Model<never>, batchSize);
  const quarterId = datedIdFactory(0xe7a101);
  const assessmentId = datedIdFactory(0xe7a102);
  const competencyId = datedIdFactory(0xe7a103);
  const threeYearsAgo = new Date(today.getTime() - 3 * 365 * DAY);

  let pendingProgress = 0;
  for (const servant of roster) {
    const entry = utcDay(new Date(servant.entryDate));
    const active = servant.status === 'ACTIVE';

    if (servant.corps === 'B') {
      const base = baseScore(rng);
      // Every 25th corps B servant in service (the first included) has not had the latest overdue
      // quarter recorded, so the demo shows EVALUATION_MISSING at any size, not only by chance.
      const forgetsOverdue = active && inServiceCorpsB++ % 25 === 0;
      // Servants who have left were evaluated until a quarter of last year, then no more.
      const lastQuarterServed = active ? periods.length : rng.int(1, Math.min(4, periods.length));
      const scores: number[] = [];
      for (let i = 0; i < lastQuarterServed; i++) {
        const { year, quarter } = periods[i];
        const end = quarterEnd(year, quarter);
        // Evaluated only after at least a month in service during the quarter.
        if (entry.getTime() > end.getTime() - 30 * DAY) continue;
        const due = evaluationDueDate(year, quarter, rulesAt(end).dueDayOfFollowingMonth);
        const inProgress = periods[i] === latestPeriod && today.getTime() <= due.getTime();
        // Late: some quarters are missing, more of the quarter whose due date has not come yet.
        if (rng.chance(inProgress ? 0.4 : 0.04)) continue;
        if (forgetsOverdue && year === overdue.year && quarter === overdue.quarter) continue;
        const rules = rulesAt(end);
        const score = clamp(base + rng.int(-6, 6), rules.scoreMin, rules.scoreMax);
        const lateBy = rng.chance(0.06) ? rng.int(1, 30) : 0;
        const recordedAt = new Date(
          Math.min(today.getTime(), rng.date(new Date(end.getTime() - 10 * DAY), due).getTime() + lateBy * DAY),
        );
        if (year === lastYear) scores.push(score);
        await quarters.add({ _id: quarterId(recordedAt), servantId: servant.servantId, year, quarter, score, recordedAt });
      }

      if (scores.length > 0) {
        const rules = rulesAt(yearEnd(lastYear));
        const band = bandFor(annualScore(scores), rules);
        if (isBandBelow(band, rules.requiredBand, rules) && rng.chance(0.6)) {
          const from = new Date(Date.UTC(currentYear, 1, 1));
          const to = new Date(Math.min(today.getTime(), Date.UTC(currentYear, 5, 30)));
          if (from.getTime() < to.getTime()) {
            const assessedOn = utcDay(rng.date(from, to));
            await assessments.add({ _id: assessmentId(assessedOn), servantId: servant.servantId, assessedOn, result: assessmentResult(rng) });
          }
        }
      }
    }

    if (servant.corps !== null && rng.chance(0.08)) {
      // Periodic attestation of earlier years, which most pass.
      const assessedOn = utcDay(rng.date(new Date(Date.UTC(lastYear - 3, 0, 1)), new Date(Date.UTC(lastYear - 1, 11, 31))));
      if (assessedOn.getTime() >= entry.getTime()) {
        await assessments.add({
          _id: assessmentId(assessedOn),
          servantId: servant.servantId,
          assessedOn,
          result: rng.chance(0.9) ? 'PASSED' : 'REASSESSMENT',
        });
      }
    }

    if (servant.corps !== null && rng.chance(0.3)) {
      const pool = servant.corps === 'A' || servant.isManagerial ? [...management, ...others] : others;
      const count = rng.int(4, 7);
      const chosen = new Set<string>();
      while (chosen.size < count) chosen.add(rng.pick(pool));
      const from = new Date(Math.max(threeYearsAgo.getTime(), entry.getTime()));
      for (const code of chosen) {
        if (from.getTime() >= today.getTime()) break;
        const level = competencyLevel(rng);
        const assessedOn = utcDay(rng.date(from, today));
        await competencies.add({ _id: competencyId(assessedOn), servantId: servant.servantId, competencyCode: code, level, assessedOn });
        // Some were assessed before too, usually a level lower: the profile shows the latest.
        const earlier = new Date(assessedOn.getTime() - rng.int(365, 720) * DAY);
        if (earlier.getTime() >= entry.getTime() && rng.chance(0.2)) {
          await competencies.add({
            _id: competencyId(earlier),
            servantId: servant.servantId,
            competencyCode: code,
            level: Math.max(1, level - rng.int(0, 1)),
            assessedOn: earlier,
          });
        }
      }
    }

    pendingProgress += 1;
    if (pendingProgress >= 1000) {
      onProgress?.(pendingProgress);
      pendingProgress = 0;
    }
  }
  await Promise.all([quarters.flush(), assessments.flush(), competencies.flush()]);
  if (pendingProgress > 0) onProgress?.(pendingProgress);

  for (const model of all) await model.createIndexes();
  // Quarters without change numbers replaced the old ones: the alert facts read everything again.
  await renewCounter(db, QUARTERS_COUNTER);

  return {
    counts: {
      competencies: catalogueDocs.length,
      quarterlyEvaluations: quarters.written,
      assessments: assessments.written,
      competencyAssessments: competencies.written,
    },
  };
}
