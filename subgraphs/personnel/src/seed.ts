import type { Connection } from 'mongoose';
import { renewCounter, type RosterEntry, type StateBodyEntry } from '@civil-service/shared';
import { STAFF_LIST_COUNTER } from './analytics/vacancies';
import { WINDOW_FACTS_COUNTER } from './analytics/workforce';
import { registerModels, type PersonnelModels } from './models';
import { utcDay } from './rules/dates';
import { surnameKey } from './rules/input';
import { personnelRules, type PersonnelRuleEntries } from './rules/reference';
import { buildBodies, makePosition, type SeedBody } from './seed-bodies';
import { CareerPlanner } from './seed-careers';
import { idFactory, type SeedRng } from './seed-ids';
import { seedAnomalies, type SeededAnomalies } from './seed-anomalies';
import { SeedDirectory } from './seed-directory';
import { orderNumberFactory, personName, servantExtras, uniqueIin } from './seed-records';

export interface SeedPersonnelOptions {
  servants: number;
  /** The seeded random source of `@civil-service/shared` (`createRng`). */
  rng: SeedRng;
  /** The day the demo data is as of; the same rng and day give the same data. */
  today?: Date;
  /** Called with the number of servants written since the last call. */
  onProgress?: (servantsProcessed: number) => void;
  batchSize?: number;
  /** Rule tables to seed against (defaults: reference/). */
  rules?: Partial<PersonnelRuleEntries>;
}

export interface SeedPersonnelResult {
  roster: RosterEntry[];
  bodies: StateBodyEntry[];
  counts: Record<string, number>;
  /** The records deliberately broken so that every compliance alert shows in the demo data. */
  anomalies: SeededAnomalies;
}

/** Share of each body's filled positions left vacant (at least one per body, so hiring has targets). */
const VACANCY_RATE = 0.06;
const PROGRESS_EVERY = 1000;
const MAX_IN_FLIGHT = 3;

/** Buffers plain documents per collection and writes them in unordered batches through the driver. */
class BulkWriter {
  private readonly buffers = new Map<string, object[]>();
  readonly counts: Record<string, number> = {};
  constructor(
    private readonly db: Connection,
    private readonly batchSize: number,
  ) {}

  async add(collection: string, doc: object): Promise<void> {
    let buffer = this.buffers.get(collection);
    if (!buffer) this.buffers.set(collection, (buffer = []));
    buffer.push(doc);
    this.counts[collection] = (this.counts[collection] ?? 0) + 1;
    if (buffer.length >= this.batchSize) await this.flush(collection);
  }

  async flush(collection?: string): Promise<void> {
    for (const name of collection ? [collection] : [...this.buffers.keys()]) {
      const batch = this.buffers.get(name) ?? [];
      if (!batch.length) continue;
      this.buffers.set(name, []);
      // Plain documents straight to the driver: the generator builds them valid by construction,
      // and mongoose hydration and validation would cost more than the insert itself. A few
      // batches stay in flight so generating the next one overlaps the server's work.
      const insert = this.db
        .collection(name)
        .insertMany(batch, { ordered: false })
        .then(() => undefined);
      // Observed here so a failure waits for close() or settleOne() instead of crashing the process.
      insert.catch(() => undefined);
      this.inFlight.add(insert);
      if (this.inFlight.size >= MAX_IN_FLIGHT) await this.settleOne();
    }
  }

  private readonly inFlight = new Set<Promise<void>>();

  private async settleOne(): Promise<void> {
    const pending = [...this.inFlight];
    this.inFlight.delete(pending[await Promise.race(pending.map((p, i) => p.then(() => i)))]);
  }

  /** Writes what is buffered and waits for every batch. */
  async close(): Promise<void> {
    await this.flush();
    await Promise.all(this.inFlight);
    this.inFlight.clear();
  }
}

function collectionsOf(models: PersonnelModels): string[] {
  return Object.values(models).map((m) => m.collection.collectionName);
}

/**
 * Writes a deterministic demo register (clearing this subgraph's collections first): state bodies
 * of every level in all 20 regions, positions whose categories fit their body's level, servants
 * with valid IINs and non-overlapping careers, vacancies in every body, and their reserve,
 * rotations, incentives, sanctions and corruption records. Returns the roster the other
 * subgraphs' seeders build on.
 */
export async function seedPersonnel(db: Connection, options: SeedPersonnelOptions): Promise<SeedPersonnelResult> {
  const { rng, servants, onProgress } = options;
  if (!Number.isInteger(servants) || servants < 1) throw new Error(`servants must be a positive whole number, got ${servants}`);
  const today = utcDay(options.today ?? new Date());
  const rules = personnelRules(options.rules);
  const table = rules.categoryTableAt(today);
  const models = registerModels(db);
  // Recorded now, not at the demo's `today`: the copies' lag figure measures from this moment.
  const directory = new SeedDirectory(db, new Date());
  // Let mongoose finish its own index builds before the collections are dropped under it.
  await Promise.all([...Object.values(models), ...Object.values(directory.models)].map((m) => m.init()));
  const existing = new Set((await db.listCollections()).map((c) => c.name));
  for (const name of [...collectionsOf(models), ...directory.collections()]) if (existing.has(name)) await db.dropCollection(name);

  const bodies = buildBodies(rng, servants);
  directory.setBodies(bodies);
  const nextPositionId = idFactory(0x20);
  const nextServantId = idFactory(0x30);
  const nextAssignmentId = idFactory(0x40);
  const orderNumber = orderNumberFactory();
  const planner = new CareerPlanner(rng, bodies, table, today, nextPositionId);
  const writer = new BulkWriter(db, options.batchSize ?? 5000);
  const usedIins = new Set<string>();
  const roster: RosterEntry[] = [];
  const sanctionLapse = (d: Date) => rules.sanctionRulesAt(d).lapsesAfterMonths;

  let sinceProgress = 0;
  for (let i = 0; i < servants; i += 1) {
    const servantId = nextServantId();
    const plan = planner.plan();
    const gender = rng.chance(0.55) ? 'FEMALE' : 'MALE';
    const iin = uniqueIin(rng, plan.birthDate, gender, usedIins);
    const name = personName(rng, gender);
    const current = plan.assignments[plan.assignments.length - 1];
    const inService = current.end === null;
    let currentAssignmentId = null;
    let lastSeparation: { reason: string; endDate: Date } | null = null;

    for (const a of plan.assignments) {
      const _id = nextAssignmentId();
      const body = a.position.body.doc;
      const order = orderNumber(a.start);
      await writer.add('assignments', {
        _id, servantId, positionId: a.position._id, stateBodyId: body._id, startDate: a.start, endDate: a.end, endReason: a.endReason, orderNumber: order,
      });
      await writer.add('personnel_actions', {
        servantId, type: a.cause, date: a.start, orderNumber: order, positionId: a.position._id, stateBodyId: body._id, reason: null, recordedAt: a.start,
      });
      if (a.rotation) {
        await writer.add('rotations', { servantId, fromBodyId: a.rotation.from.doc._id, toBodyId: body._id, startDate: a.start, scheme: a.rotation.scheme });
      }
      if (a.end && a.endReason && a.endReason !== 'TRANSFER' && a.endReason !== 'ROTATION') {
        lastSeparation = { reason: a.endReason, endDate: a.end };
        await writer.add('personnel_actions', {
          servantId, type: 'DISMISSAL', date: a.end, orderNumber: orderNumber(a.end), positionId: a.position._id, stateBodyId: body._id, reason: a.endReason, recordedAt: a.end,
        });
      }
      if (a.end === null) {
        currentAssignmentId = _id;
        a.position.holderId = servantId;
      }
    }

    const extras = servantExtras(rng, { birthDate: plan.birthDate, assignments: plan.assignments, today, reserveRequiredAt: rules.corpsAReserveRequiredAt, sanctionLapseMonths: sanctionLapse(today) });
    for (const e of extras.education) await writer.add('education', { servantId, ...e });
    for (const r of extras.reserve) await writer.add('reserve_memberships', { servantId, ...r });
    for (const inc of extras.incentives) {
      const order = orderNumber(inc.date);
      await writer.add('incentives', { servantId, ...inc, orderNumber: order });
      await writer.add('personnel_actions', { servantId, type: 'INCENTIVE', date: inc.date, orderNumber: order, positionId: null, stateBodyId: null, reason: inc.type, recordedAt: inc.date });
    }
    for (const s of extras.sanctions) {
      const order = orderNumber(s.imposedOn);
      await writer.add('sanctions', { servantId, ...s, orderNumber: order });
      await writer.add('personnel_actions', { servantId, type: 'SANCTION', date: s.imposedOn, orderNumber: order, positionId: null, stateBodyId: null, reason: s.type, recordedAt: s.imposedOn });
    }
    for (const c of extras.corruption) await writer.add('corruption_records', { servantId, ...c });

    const body = current.position.body.doc;
    await writer.add('civil_servants', {
      _id: servantId,
      iin,
      ...name,
      lastNameLower: surnameKey(name.lastName),
      birthDate: plan.birthDate,
      gender,
      serviceType: 'ADMINISTRATIVE',
      corps: inService ? current.position.corps : null,
      status: plan.status,
      currentAssignmentId,
      currentPositionId: inService ? current.position._id : null,
      currentStateBodyId: inService ? body._id : null,
      currentRegion: inService ? body.region : null,
      currentCategoryCode: inService ? current.position.categoryCode : null,
      lastSeparation,
    });
    await writer.add('servant_directory', directory.entryOf(servantId, plan.status, gender, plan));
    // The roster describes the servant's latest post even after they left: the other seeders
    // generate the history of that time (evaluations until the quarter they left, say).
    roster.push({
      servantId: servantId.toHexString(),
      stateBodyId: body._id.toHexString(),
      region: body.region,
      stateBodyLevel: body.level,
      corps: current.position.corps,
      categoryCode: current.position.categoryCode,
      status: plan.status,
      gender,
      birthYear: plan.birthDate.getUTCFullYear(),
      entryDate: plan.assignments[0].start,
      positionId: inService ? current.position._id.toHexString() : null,
      isManagerial: current.position.isManagerial,
    });
    if (++sinceProgress >= PROGRESS_EVERY) {
      onProgress?.(sinceProgress);
      sinceProgress = 0;
    }
  }

  addVacancies(rng, bodies, table, nextPositionId);
  for (const b of bodies) await writer.add('state_bodies', b.doc);
  for (const b of bodies) {
    for (const p of b.positions) {
      await writer.add('positions', {
        _id: p._id, stateBodyId: b.doc._id, title: p.title, categoryCode: p.categoryCode, corps: p.corps, isManagerial: p.isManagerial, rotationSubject: p.rotationSubject, holderId: p.holderId,
      });
    }
  }
  await writer.close();
  await directory.finish();
  // Indexes once, after the bulk load: cheaper than maintaining them insert by insert.
  for (const model of Object.values(models)) await model.createIndexes();
  // After the directory is written: it rewrites the entries of the servants it touches.
  const anomalies = await seedAnomalies(models, directory.models, { today, rules, roster });
  await directory.rewriteHoldersOf(models, anomalies.positionIds);
  // A new staff list, sanctions and rotations: whoever keeps them in memory reads them again.
  await renewCounter(db, STAFF_LIST_COUNTER);
  await renewCounter(db, WINDOW_FACTS_COUNTER);
  if (sinceProgress > 0) onProgress?.(sinceProgress);

  const vacant = bodies.reduce((n, b) => n + b.positions.filter((p) => p.holderId === null).length, 0);
  const counts: Record<string, number> = { stateBodies: bodies.length, vacantPositions: vacant };
  const names: Record<string, string> = {
    civil_servants: 'civilServants', positions: 'positions', assignments: 'assignments', personnel_actions: 'personnelActions', education: 'education',
    reserve_memberships: 'reserveMemberships', rotations: 'rotations', incentives: 'incentives', sanctions: 'sanctions', corruption_records: 'corruptionRecords',
  };
  for (const [collection, key] of Object.entries(names)) counts[key] = writer.counts[collection] ?? 0;
  return {
    anomalies,
    roster,
    bodies: bodies.map((b) => ({ id: b.doc._id.toHexString(), name: b.doc.name, level: b.doc.level, region: b.doc.region, parentId: b.doc.parentId?.toHexString() ?? null })),
    counts,
  };
}

/** Leaves about VACANCY_RATE of each body's staff list vacant, and at least one post everywhere. */
function addVacancies(rng: SeedRng, bodies: readonly SeedBody[], table: Parameters<typeof makePosition>[3], nextId: () => ReturnType<ReturnType<typeof idFactory>>): void {
  for (const body of bodies) {
    const filled = body.positions.filter((p) => p.holderId !== null).length;
    const vacant = body.positions.length - filled;
    const target = Math.max(1, Math.round(filled * VACANCY_RATE));
    for (let k = vacant; k < target; k += 1) makePosition(rng, nextId, body, table, { corps: 'B', managerial: rng.chance(0.15) });
  }
}
