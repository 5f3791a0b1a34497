import type { Types } from 'mongoose';
import type { SeparationReason, StateBodyLevel } from './models';
import { categoriesFor, type CategoryTable, type CorpsCode } from './rules/category';
import { addDays, addYears, DAY_MS } from './rules/dates';
import { isCentreLevel, rotationScheme, type RotationScheme } from './rules/rotation';
import { BodyPicker, isFree, makePosition, type SeedBody, type SeedPosition } from './seed-bodies';
import type { SeedRng } from './seed-ids';

/** One planned holding of a position, before it becomes an assignment document. */
export interface PlannedAssignment {
  position: SeedPosition;
  start: Date;
  end: Date | null;
  endReason: SeparationReason | null;
  /** How the servant came to this position: first hire, re-hire after a gap, or a move. */
  cause: 'HIRE' | 'REHIRE' | 'TRANSFER' | 'ROTATION';
  rotation: { from: SeedBody; scheme: RotationScheme } | null;
}

export type ServantStatus = 'ACTIVE' | 'ON_LEAVE' | 'DISMISSED' | 'RETIRED';

export interface CareerPlan {
  status: ServantStatus;
  birthDate: Date;
  assignments: PlannedAssignment[];
}

/** Why servants who left did so; re-entry bars follow from the three dismissal reasons. */
const LEAVING: ReadonlyArray<[SeparationReason, number]> = [
  ['RESIGNATION', 0.76],
  ['REORGANIZATION', 0.1],
  ['DISMISSAL_ETHICS', 0.06],
  ['DISMISSAL_DISCREDIT', 0.04],
  ['DISMISSAL_CORRUPTION', 0.04],
];

function weighted<T>(rng: SeedRng, table: ReadonlyArray<[T, number]>): T {
  let x = rng.next() * table.reduce((a, [, w]) => a + w, 0);
  for (const [value, w] of table) {
    x -= w;
    if (x < 0) return value;
  }
  return table[table.length - 1][0];
}

const dayAt = (ms: number) => new Date(Math.floor(ms / DAY_MS) * DAY_MS);

/**
 * Plans careers: effective-dated assignments that never overlap, on positions whose category fits
 * their body's level, with moves between bodies that are rotations only when the Concept's scheme
 * says so. Positions are shared between servants over time (a position is free for an interval
 * only when no other assignment holds it then), so history does not inflate the staff list.
 */
export class CareerPlanner {
  private readonly picker: BodyPicker;
  private readonly regionalBodies: SeedBody[];
  private readonly centreBodies: SeedBody[];
  /** Per body, the positions no open assignment holds (yet). */
  private readonly vacantNow = new Map<SeedBody, SeedPosition[]>();

  constructor(
    private readonly rng: SeedRng,
    bodies: readonly SeedBody[],
    private readonly table: CategoryTable,
    private readonly today: Date,
    private readonly nextPositionId: () => Types.ObjectId,
  ) {
    this.picker = new BodyPicker(bodies);
    this.centreBodies = bodies.filter((b) => isCentreLevel(b.doc.level));
    this.regionalBodies = bodies.filter((b) => !isCentreLevel(b.doc.level));
  }

  plan(): CareerPlan {
    const { rng, today } = this;
    const r = rng.next();
    const status: ServantStatus = r < 0.86 ? 'ACTIVE' : r < 0.885 ? 'ON_LEAVE' : r < 0.97 ? 'DISMISSED' : 'RETIRED';
    const inService = status === 'ACTIVE' || status === 'ON_LEAVE';
    // Age today, then the day service ended for those who left (mostly recently: the register
    // went digital in the 2010s and the other seeders evaluate the last two years).
    const age = status === 'RETIRED' ? rng.int(61, 68) : rng.int(23, 62);
    const birthDate = addDays(addYears(today, -age), -rng.int(0, 364));
    const lastDay = inService ? null : dayAt(rng.date(addYears(today, -4), addDays(today, -1)).getTime());
    const serviceEnd = lastDay ?? today;
    const latestEntryAge = Math.max(21, Math.min(45, Math.floor((serviceEnd.getTime() - birthDate.getTime()) / (365.25 * DAY_MS)) - 1));
    let entry = addDays(addYears(birthDate, rng.int(21, Math.min(latestEntryAge, 21 + rng.int(0, 24)))), rng.int(0, 364));
    const latestEntry = addDays(serviceEnd, -90);
    if (entry > latestEntry) entry = latestEntry;
    const assignments = this.assignments(entry, serviceEnd, inService, status === 'RETIRED');
    return { status, birthDate, assignments };
  }

  private assignments(entry: Date, serviceEnd: Date, open: boolean, retired: boolean): PlannedAssignment[] {
    const { rng } = this;
    const spanDays = Math.round((serviceEnd.getTime() - entry.getTime()) / DAY_MS);
    const count = Math.max(1, Math.min(5, 1 + Math.floor(spanDays / (365 * rng.int(3, 8)))));
    // Boundaries of the holdings: each at least ~4 months long.
    const cuts = Array.from({ length: count - 1 }, () => rng.int(1, Math.max(1, spanDays - 1))).sort((a, b) => a - b);
    const starts: number[] = [0];
    for (const cut of cuts) if (cut - starts[starts.length - 1] >= 120 && spanDays - cut >= 60) starts.push(cut);

    // The current (last) body first; earlier bodies are chosen walking back in time.
    const bodies: SeedBody[] = [];
    let body = this.picker.body(rng, this.picker.level(rng));
    const moves: Array<PlannedAssignment['cause']> = [];
    for (let i = starts.length - 1; i >= 0; i -= 1) {
      bodies[i] = body;
      if (i === 0) break;
      const roll = rng.next();
      if (roll < 0.06) {
        moves[i] = 'REHIRE';
      } else if (roll < 0.16) {
        const from = this.rotationSource(body);
        moves[i] = from ? 'ROTATION' : 'TRANSFER';
        if (from) body = from;
      } else {
        moves[i] = 'TRANSFER';
        if (roll > 0.62) body = this.picker.body(rng, this.picker.level(rng), (b) => b.doc.region === body.doc.region && b !== body);
      }
    }

    const planned: PlannedAssignment[] = [];
    for (let i = 0; i < starts.length; i += 1) {
      const last = i === starts.length - 1;
      const start = addDays(entry, starts[i]);
      // A re-hire follows a resignation and a gap; everything else starts the day after.
      if (i > 0 && moves[i] === 'REHIRE') {
        const prev = planned[i - 1];
        const gap = Math.min(rng.int(30, 700), Math.max(2, Math.round((start.getTime() - prev.start.getTime()) / DAY_MS / 2)));
        prev.end = addDays(start, -gap);
        prev.endReason = 'RESIGNATION';
      }
      const end = last ? (open ? null : serviceEnd) : addDays(addDays(entry, starts[i + 1]), -1);
      const senior = last ? 0.2 : 0.08;
      const wantsA = rng.chance(last ? 0.03 : 0.01);
      const position = this.position(bodies[i], start, end, wantsA ? 'A' : 'B', rng.chance(senior));
      const cause = i === 0 ? 'HIRE' : moves[i];
      const from = bodies[i - 1];
      const scheme = cause === 'ROTATION' && from ? rotationScheme(from.doc, bodies[i].doc) : null;
      planned.push({ position, start, end, endReason: null, cause: cause === 'ROTATION' && !scheme ? 'TRANSFER' : cause, rotation: scheme ? { from, scheme } : null });
      if (i > 0 && planned[i - 1].endReason === null) planned[i - 1].endReason = planned[i].cause === 'ROTATION' ? 'ROTATION' : 'TRANSFER';
    }
    const final = planned[planned.length - 1];
    if (!open) final.endReason = retired ? 'RETIREMENT' : weighted(rng, LEAVING);
    for (const a of planned) a.position.busy.push([a.start.getTime(), a.end ? a.end.getTime() : Infinity]);
    return planned;
  }

  /** A body a rotation into `to` can come from: the centre for a regional body, or another region. */
  private rotationSource(to: SeedBody): SeedBody | null {
    const { rng } = this;
    const toCentre = isCentreLevel(to.doc.level);
    const pool = toCentre || rng.chance(0.5) ? this.regionalBodies : this.centreBodies;
    for (let tries = 0; tries < 10; tries += 1) {
      const from = rng.pick(pool);
      if (from !== to && rotationScheme(from.doc, to.doc) !== null) return from;
    }
    return null;
  }

  /**
   * A position of `body` free over [start, end]. Positions nobody holds now are tried first, so
   * that history reuses the staff list instead of growing it; the vacancies left at the end are
   * those the body really has.
   */
  private position(body: SeedBody, start: Date, end: Date | null, corps: CorpsCode, managerial: boolean): SeedPosition {
    const s = start.getTime();
    const e = end ? end.getTime() : Infinity;
    const wantCorps: CorpsCode = corps === 'A' && categoriesFor(body.doc.level as StateBodyLevel, 'A', this.table).length ? 'A' : 'B';
    const vacant = this.vacantNow.get(body) ?? [];
    this.vacantNow.set(body, vacant);
    const take = (p: SeedPosition) => {
      if (end === null) vacant.splice(vacant.indexOf(p), 1);
      return p;
    };
    for (let tries = 0; tries < 24 && vacant.length; tries += 1) {
      const p = vacant[Math.floor(this.rng.next() * vacant.length)];
      if (p.corps === wantCorps && isFree(p, s, e)) return take(p);
    }
    if (end !== null) {
      for (let tries = 0; tries < 8; tries += 1) {
        const p = body.positions[Math.floor(this.rng.next() * body.positions.length)];
        if (p && p.corps === wantCorps && isFree(p, s, e)) return p;
      }
    }
    const created = makePosition(this.rng, this.nextPositionId, body, this.table, { corps: wantCorps, managerial });
    if (end !== null) vacant.push(created);
    return created;
  }
}
