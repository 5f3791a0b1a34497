import type { Connection } from 'mongoose';
import { datedIdFactory, renewCounter, type Rng, type RosterEntry, type StateBodyEntry } from '@civil-service/shared';
import { LEARNING_RECORDS_COUNTER, registerModels, type LearningRecordDoc, type TrainingModels, type TrainingProgramDoc } from './models';
import { addDays, addMonths, toDate, utcDay } from './rules/dates';
import { checkProgramHours, type TrainingType } from './rules/training';
import { DEFAULT_RULE_ENTRIES, rulesLookup } from './rules/reference';
import { CATALOGUE, type CatalogueEntry } from './seed-catalogue';

export interface SeedTrainingOptions {
  roster: readonly RosterEntry[];
  bodies: readonly StateBodyEntry[];
  rng: Rng;
  onProgress?: (servantsProcessed: number) => void;
  /** The day the demo data is as of; the same seed and day give the same data. */
  today?: Date;
  batchSize?: number;
}

export interface SeedTrainingCounts {
  programs: number;
  learningRecords: number;
  enrolled: number;
  completed: number;
  withdrawn: number;
}

/** Years of history the demo data covers. */
const HISTORY_YEARS = 6;
/** Share of long-serving active servants who let their training lapse (calibrated to ~20% overdue). */
const LAPSED_SHARE = 0.2;
/** Days between one training and the next for everyone else: ~0.7 trainings a year overall. */
const GAP_DAYS: readonly [number, number] = [120, 760];
const WITHDRAWAL_RATE = 0.05;
const CERTIFICATE_RATE = 0.93;
/** Share of new corps B entrants and managers whose retraining starts late (feeds the alert). */
const LATE_RETRAINING_SHARE = 0.08;
const PROGRESS_EVERY = 1000;

interface Program {
  doc: TrainingProgramDoc;
  entry: CatalogueEntry;
}

/** Programme pools by whom they serve, so a rural akimat clerk is not sent to a corps A course. */
class Pools {
  private readonly byKey = new Map<string, Program[]>();
  constructor(private readonly programs: readonly Program[]) {}

  private cached(key: string, pick: (p: Program) => boolean): Program[] {
    let pool = this.byKey.get(key);
    if (!pool) {
      pool = this.programs.filter(pick);
      this.byKey.set(key, pool);
    }
    return pool;
  }

  advanced(s: RosterEntry): Program[] {
    const manager = s.isManagerial || s.corps === 'A';
    const local = String(s.stateBodyLevel).startsWith('LOCAL');
    const central = String(s.stateBodyLevel).startsWith('CENTRAL');
    return this.cached(`adv:${manager}:${local}:${central}:${s.region}`, ({ entry }) =>
      entry.type === 'ADVANCED_TRAINING' &&
      (entry.region === undefined || entry.region === s.region) &&
      (entry.audience === 'ALL' || (entry.audience === 'MANAGERS' && manager) || (entry.audience === 'LOCAL' && local) || (entry.audience === 'CENTRAL' && central)),
    );
  }

  ofType(type: TrainingType, s: RosterEntry): Program[] {
    const local = String(s.stateBodyLevel).startsWith('LOCAL');
    return this.cached(`${type}:${local}`, ({ entry }) =>
      entry.type === type && (entry.audience === 'ALL' || (entry.audience === 'LOCAL' && local)),
    );
  }

  entryRetraining(s: RosterEntry): Program[] {
    return s.isManagerial || s.corps === 'A'
      ? this.cached('rt:managers', ({ entry }) => entry.type === 'RETRAINING' && entry.audience === 'MANAGERS')
      : this.cached('rt:corpsB', ({ entry }) => entry.type === 'RETRAINING' && entry.audience === 'NEW_CORPS_B');
  }
}

/** Moves a weekend start to the following Monday: courses open on working days. */
function workingDay(d: Date): Date {
  const dow = d.getUTCDay();
  return dow === 6 ? addDays(d, 2) : dow === 0 ? addDays(d, 1) : d;
}

function maxDate(a: Date, b: Date): Date {
  return a.getTime() >= b.getTime() ? a : b;
}

/** Builds the plain learning-record documents of one servant, oldest first. */
class ServantPlanner {
  private certificateSeq = 0;
  readonly newId = datedIdFactory(0x747201);

  constructor(
    private readonly rng: Rng,
    private readonly pools: Pools,
    private readonly today: Date,
    private readonly periodMonths: number,
    /** First day retraining triggers are in force: entrants since then were retrained on entry. */
    private readonly retrainingFrom: Date,
  ) {}

  private pickRegular(s: RosterEntry, birthYear: number): Program {
    const r = this.rng.next();
    const young = this.today.getUTCFullYear() - birthYear < 40;
    let pool: Program[] = [];
    if (r < 0.06) pool = this.pools.ofType('INTERNSHIP', s);
    else if (r < 0.09) pool = this.pools.ofType('RETRAINING', s);
    else if (r < 0.097) pool = this.pools.ofType('POSTGRADUATE', s);
    else if (r < 0.1 && young) pool = this.pools.ofType('ABROAD', s);
    if (pool.length === 0) pool = this.pools.advanced(s);
    return this.rng.pick(pool);
  }

  /**
   * One record from `start` in `program`; null when it would run past `horizon` and the servant
   * cannot be in training then (`allowOpen` false).
   */
  private record(s: RosterEntry, program: Program, start: Date, horizon: Date, allowOpen: boolean): LearningRecordDoc | null {
    const end = addDays(start, program.entry.durationDays - 1);
    const base = { _id: this.newId(start), servantId: s.servantId.toLowerCase(), programId: program.doc._id, startDate: start };
    if (end.getTime() > horizon.getTime()) {
      if (!allowOpen || start.getTime() > this.today.getTime()) return null;
      return { ...base, status: 'ENROLLED', endDate: null, hours: null, certificateNo: null };
    }
    if (this.rng.chance(WITHDRAWAL_RATE)) return { ...base, status: 'WITHDRAWN', endDate: null, hours: null, certificateNo: null };
    this.certificateSeq += 1;
    const certificateNo = this.rng.chance(CERTIFICATE_RATE)
      ? `${program.entry.providerCode}-${end.getUTCFullYear()}-${String(this.certificateSeq).padStart(6, '0')}`
      : null;
    return { ...base, status: 'COMPLETED', endDate: end, hours: program.doc.academicHours, certificateNo };
  }

  plan(s: RosterEntry): LearningRecordDoc[] {
    const rng = this.rng;
    const today = this.today;
    const entry = utcDay(toDate(s.entryDate as Date | string));
    if (entry.getTime() > today.getTime()) return [];
    const birthYear = Number(s.birthYear) || today.getUTCFullYear() - 40;
    const windowStart = maxDate(entry, addMonths(today, -12 * HISTORY_YEARS));
    const cutoff = addMonths(today, -this.periodMonths);

    // Until when this servant could train: today, or a past day for those on leave or gone.
    let horizon = today;
    if (s.status === 'ON_LEAVE') horizon = addDays(today, -rng.int(30, 540));
    else if (s.status !== 'ACTIVE') horizon = addDays(today, -rng.int(30, 1800));
    const inService = s.status === 'ACTIVE';
    // Long-serving active servants who let training lapse: nothing completed since before the cutoff.
    const lapsed = inService && entry.getTime() < cutoff.getTime() && rng.chance(LAPSED_SHARE);
    if (lapsed) horizon = addDays(cutoff, -rng.int(1, 400));
    const retrains = s.corps === 'B' || s.corps === 'A' || s.isManagerial;
    const out: LearningRecordDoc[] = [];
    const enteredInWindow = entry.getTime() >= addMonths(today, -12 * HISTORY_YEARS).getTime();
    // Entrants since the retraining rule but before the window still did their entry retraining:
    // without it every one of them would be retraining-overdue in the alert list.
    if (!enteredInWindow && retrains && entry.getTime() >= this.retrainingFrom.getTime()) {
      const rec = this.entryRetraining(s, entry, horizon, false);
      if (rec) out.push(rec);
    }
    if (horizon.getTime() < windowStart.getTime()) return this.lapsedTail(s, out, lapsed, entry, cutoff);

    let cursor: Date;
    if (enteredInWindow && retrains) {
      // Retraining on first entry to corps B or on appointment to a managerial post (rule 3).
      const rec = this.entryRetraining(s, entry, horizon, inService && !lapsed);
      if (rec) out.push(rec);
      cursor = rec ? addDays(rec.endDate ?? rec.startDate, rng.int(GAP_DAYS[0], GAP_DAYS[1])) : horizon;
    } else if (enteredInWindow) {
      cursor = addDays(entry, rng.int(30, 365));
    } else {
      cursor = addDays(windowStart, rng.int(0, GAP_DAYS[1]));
    }

    while (cursor.getTime() <= horizon.getTime()) {
      const start = workingDay(cursor);
      if (start.getTime() > horizon.getTime()) break;
      const rec = this.record(s, this.pickRegular(s, birthYear), start, horizon, inService && !lapsed);
      if (!rec) break;
      out.push(rec);
      if (rec.status === 'ENROLLED') break;
      const last = rec.endDate ?? addDays(start, 7);
      cursor = addDays(last, rng.int(GAP_DAYS[0], GAP_DAYS[1]));
    }
    return this.lapsedTail(s, out, lapsed, entry, cutoff);
  }

  /** The retraining that follows entry: within six months, or late for a few. */
  private entryRetraining(s: RosterEntry, entry: Date, horizon: Date, allowOpen: boolean): LearningRecordDoc | null {
    const late = this.rng.chance(LATE_RETRAINING_SHARE);
    const start = workingDay(addDays(entry, late ? this.rng.int(190, 320) : this.rng.int(10, 120)));
    return start.getTime() <= horizon.getTime() ? this.record(s, this.rng.pick(this.pools.entryRetraining(s)), start, horizon, allowOpen) : null;
  }

  /** Some lapsed servants did start something lately: a withdrawal, or a course still in progress. */
  private lapsedTail(s: RosterEntry, out: LearningRecordDoc[], lapsed: boolean, entry: Date, cutoff: Date): LearningRecordDoc[] {
    if (!lapsed || !this.rng.chance(0.35)) return out;
    const program = this.rng.pick(this.pools.advanced(s));
    const from = maxDate(entry, cutoff);
    if (this.rng.chance(0.5)) {
      const start = workingDay(this.rng.date(from, addDays(this.today, -60)));
      out.push({ _id: this.newId(start), servantId: s.servantId.toLowerCase(), programId: program.doc._id, status: 'WITHDRAWN', startDate: start, endDate: null, hours: null, certificateNo: null });
    } else {
      const start = addDays(this.today, -this.rng.int(0, Math.max(0, program.entry.durationDays - 2)));
      out.push({ _id: this.newId(start), servantId: s.servantId.toLowerCase(), programId: program.doc._id, status: 'ENROLLED', startDate: start, endDate: null, hours: null, certificateNo: null });
    }
    return out;
  }
}

async function clear(models: TrainingModels): Promise<void> {
  for (const model of [models.TrainingProgram, models.LearningRecord]) {
    await model.collection.deleteMany({});
  }
}

/**
 * Writes the demo catalogue and ~6 years of learning records for the roster (clearing this
 * subgraph's collections first). Plain documents through the driver in unordered batches.
 */
export async function seedTraining(db: Connection, options: SeedTrainingOptions): Promise<{ counts: SeedTrainingCounts }> {
  const { roster, rng, onProgress } = options;
  const batchSize = options.batchSize ?? 5000;
  const today = utcDay(options.today ?? new Date());
  const rules = rulesLookup()(today);
  const models = registerModels(db);
  await clear(models);

  const programId = datedIdFactory(0x747200);
  const catalogueDay = new Date(Date.UTC(2019, 0, 1));
  const programs: Program[] = CATALOGUE.map((entry) => {
    const problem = checkProgramHours(entry.type, entry.academicHours, rules);
    if (problem) throw new Error(`catalogue programme "${entry.title}": ${problem.message}`);
    return {
      entry,
      doc: {
        _id: programId(catalogueDay),
        title: entry.title,
        type: entry.type,
        form: entry.form,
        provider: entry.provider,
        academicHours: entry.academicHours,
        topics: entry.topics,
      },
    };
  });
  await models.TrainingProgram.collection.insertMany(programs.map((p) => p.doc), { ordered: false });

  const retrainingFrom = new Date(`${DEFAULT_RULE_ENTRIES.map((e) => e.validFrom).sort()[0]}T00:00:00Z`);
  const planner = new ServantPlanner(rng, new Pools(programs), today, rules.trainingPeriodMonths, retrainingFrom);
  const counts: SeedTrainingCounts = { programs: programs.length, learningRecords: 0, enrolled: 0, completed: 0, withdrawn: 0 };
  let buffer: LearningRecordDoc[] = [];
  const flush = async () => {
    if (buffer.length === 0) return;
    const batch = buffer;
    buffer = [];
    await models.LearningRecord.collection.insertMany(batch, { ordered: false });
  };

  let sinceProgress = 0;
  for (const servant of roster) {
    for (const rec of planner.plan(servant)) {
      buffer.push(rec);
      counts.learningRecords += 1;
      if (rec.status === 'ENROLLED') counts.enrolled += 1;
      else if (rec.status === 'COMPLETED') counts.completed += 1;
      else counts.withdrawn += 1;
    }
    if (buffer.length >= batchSize) await flush();
    sinceProgress += 1;
    if (sinceProgress >= PROGRESS_EVERY) {
      onProgress?.(sinceProgress);
      sinceProgress = 0;
    }
  }
  await flush();
  // Indexes once, after the bulk load (cheaper than maintaining them insert by insert).
  await models.TrainingProgram.syncIndexes();
  await models.LearningRecord.syncIndexes();
  // Records without change numbers replaced the old ones: the alert facts read everything again.
  await renewCounter(db, LEARNING_RECORDS_COUNTER);
  if (sinceProgress > 0) onProgress?.(sinceProgress);
  return { counts };
}
