import type { Connection, Types } from 'mongoose';
import {
  addUtcMonths,
  cellIdOf,
  CountedValue,
  factsTable,
  groupTable,
  placementOf,
  segmentStages,
  segmentValuesOf,
  ServantFacts,
  type ComputedCell,
  type DirectoryEntry,
  type DirectoryModels,
  type Logger,
  type Placement,
  type SegmentComputer,
  type SegmentQuery,
} from '@civil-service/shared';
import type { PersonnelModels } from '../models';
import { FIRST_BATCH } from './batch';
import { hasVacancies, positionsPerCell, positionsPerCellOf, StaffList } from './vacancies';

/** personnel's measures of a workforce segment, all as of the question's day. */
export interface PersonnelMeasures {
  /** Servants in service that day. */
  headcount: number;
  /** Positions of the segment nobody holds that day; null when the question involves gender or age. */
  vacancies: number | null;
  /** Women / headcount. */
  womenShare: number;
  /** Mean days of service up to the day / 365.25, 2 decimals. */
  averageTenureYears: number;
  /** Sanctions imposed in (day − 12 months, day] × 1000 / headcount, 1 decimal. */
  sanctionsPer1000: number;
  /** Rotations started in (day − 12 months, day]. */
  rotationsLast12Months: number;
}

const DAY_MS = 86_400_000;

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

/**
 * Days of service up to asOf, summed over the periods started by then (each end inclusive, an open
 * or later end cut at asOf). A plain sum: assignments of one servant do not overlap except as a
 * data-quality fault, which personnel's alerts report.
 */
function tenureDaysExpression(asOf: Date): unknown {
  const end = { $min: [{ $ifNull: ['$$this.to', asOf] }, asOf] };
  const days = { $add: [{ $divide: [{ $subtract: [end, '$$this.from'] }, DAY_MS] }, 1] };
  return { $reduce: { input: '$periods', initialValue: 0, in: { $add: ['$$value', { $cond: [{ $lte: ['$$this.from', asOf] }, days, 0] }] } } };
}

interface SegmentRow {
  _id: unknown;
  headcount: number;
  women: number;
  tenureDays: number;
  held?: number;
}

/** The directory's figures per segment: one pipeline for every segment of the question. */
async function directoryFigures(directory: DirectoryModels, query: SegmentQuery, withPositions: boolean): Promise<SegmentRow[]> {
  const group: Record<string, unknown> = {
    _id: '$seg',
    headcount: { $sum: 1 },
    women: { $sum: { $cond: [{ $eq: ['$gender', 'FEMALE'] }, 1, 0] } },
    tenureDays: { $sum: '$tenureDays' },
  };
  const project: Record<string, unknown> = { _id: 0, seg: 1, gender: 1, tenureDays: tenureDaysExpression(query.asOf) };
  if (withPositions) {
    group.positions = { $addToSet: '$positionId' };
    project.positionId = '$p.positionId';
  }
  const pipeline: Array<Record<string, unknown>> = [...segmentStages(query), { $project: project }, { $group: group }];
  if (withPositions) pipeline.push({ $project: { headcount: 1, women: 1, tenureDays: 1, held: { $size: '$positions' } } });
  // Stages are built as plain objects (see segmentStages); mongoose's PipelineStage union is stricter.
  return directory.Directory.aggregate<SegmentRow>(pipeline as never).option({ batchSize: FIRST_BATCH }).exec();
}

/**
 * Moved by every sanction imposed (in its transaction) and renewed by the seeder, the only writer of
 * rotations: today's window facts are read again only then.
 */
export const WINDOW_FACTS_COUNTER = 'sanctions_rotations';

type WindowFacts = { sanctions: Map<string, number>; rotations: Map<string, number> };

/**
 * Today's sanctions and rotations per servant, kept until the day changes or one is written: one
 * counter read per question instead of reading the window's facts again.
 */
export class TodaysWindowFacts {
  private readonly kept: CountedValue<WindowFacts>;

  constructor(
    db: Connection,
    private readonly m: PersonnelModels,
  ) {
    this.kept = new CountedValue(db, [WINDOW_FACTS_COUNTER]);
  }

  forDay(asOf: Date): Promise<WindowFacts> {
    return this.kept.get(String(asOf.getTime()), () => windowFacts(this.m, asOf));
  }
}

/** Sanctions and rotations of the window (day − 12 months, day] per servant, through their date indexes. */
async function windowFacts(m: PersonnelModels, asOf: Date): Promise<WindowFacts> {
  const since = addUtcMonths(asOf, -12);
  const [sanctions, rotations] = await Promise.all([
    m.Sanction.find({ imposedOn: { $gt: since, $lte: asOf } }, { _id: 0, servantId: 1 }).batchSize(FIRST_BATCH).lean<Array<{ servantId: Types.ObjectId }>>().exec(),
    m.Rotation.find({ startDate: { $gt: since, $lte: asOf } }, { _id: 0, servantId: 1 }).batchSize(FIRST_BATCH).lean<Array<{ servantId: Types.ObjectId }>>().exec(),
  ]);
  const perServant = (rows: Array<{ servantId: Types.ObjectId }>) => {
    const out = new Map<string, number>();
    for (const r of rows) out.set(r.servantId.toHexString(), (out.get(r.servantId.toHexString()) ?? 0) + 1);
    return out;
  };
  return { sanctions: perServant(sanctions), rotations: perServant(rotations) };
}

/**
 * Sanctions and rotations of the window per segment: the window's facts through their date
 * indexes, then the segment of the servants concerned on asOf through the directory's _id index.
 * Three commands, whatever the number of segments or servants.
 */
async function windowCounts(m: PersonnelModels, directory: DirectoryModels, query: SegmentQuery): Promise<{ sanctions: Map<string, number>; rotations: Map<string, number> }> {
  const { sanctions: sanctionsOf, rotations: rotationsOf } = await windowFacts(m, query.asOf);
  const ids = [...new Set([...sanctionsOf.keys(), ...rotationsOf.keys()])];
  const result = { sanctions: new Map<string, number>(), rotations: new Map<string, number>() };
  if (!ids.length) return result;
  const placed = await directory.Directory.aggregate<{ _id: string; seg: unknown }>([...segmentStages(query, { _id: { $in: ids } }), { $project: { seg: 1 } }] as never)
    .option({ batchSize: FIRST_BATCH })
    .exec();
  for (const servant of placed) {
    const cell = cellIdOf(query.groupBy, segmentValuesOf(query, servant.seg));
    result.sanctions.set(cell, (result.sanctions.get(cell) ?? 0) + (sanctionsOf.get(servant._id) ?? 0));
    result.rotations.set(cell, (result.rotations.get(cell) ?? 0) + (rotationsOf.get(servant._id) ?? 0));
  }
  return result;
}

/** What today's workforce questions need to know about a servant in service, kept in memory. */
export interface WorkforceFacts {
  placement: Placement;
  /** Every assignment's first and last day in ms (last: null while held). */
  periods: Array<[number, number | null]>;
  /** Days of the assignments that have ended, and the latest day any assignment starts or ends on. */
  closedDays: number;
  settledFrom: number;
  /** Starts of the assignments held open. */
  openFrom: number[];
  /** The position held now (the entry's last period). */
  positionId: string | null;
}

/**
 * Days of service up to `asOf` (ms), as `tenureDaysExpression` counts them: on a day after every
 * recorded start and end (today, for a current question) the ended assignments are a constant and
 * only the open ones grow; before that, period by period.
 */
function tenureDays(f: WorkforceFacts, asOf: number): number {
  if (asOf >= f.settledFrom) {
    let days = f.closedDays;
    for (const from of f.openFrom) days += (asOf - from) / DAY_MS + 1;
    return days;
  }
  let days = 0;
  for (const [from, to] of f.periods) if (from <= asOf) days += (Math.min(to ?? asOf, asOf) - from) / DAY_MS + 1;
  return days;
}

function workforceFactsOf(entry: DirectoryEntry, placement: Placement): WorkforceFacts {
  const periods = entry.periods.map((p): [number, number | null] => [p.from.getTime(), p.to ? p.to.getTime() : null]);
  let closedDays = 0;
  let settledFrom = -Infinity;
  const openFrom: number[] = [];
  for (const [from, to] of periods) {
    settledFrom = Math.max(settledFrom, from, to ?? from);
    if (to === null) openFrom.push(from);
    else closedDays += (to - from) / DAY_MS + 1;
  }
  return { placement, periods, closedDays, settledFrom, openFrom, positionId: entry.periods.at(-1)?.positionId ?? null };
}

export type WorkforceFactStore = ServantFacts<never, WorkforceFacts>;

/** The facts from the master directory: its numbers commit in order, so its newest number is complete. */
export function workforceFactStore(db: Connection, directory: DirectoryModels, logger?: Logger): WorkforceFactStore {
  return new ServantFacts<never, WorkforceFacts>({
    db,
    Directory: directory.Directory,
    directoryHead: async () => (await directory.Directory.findOne({}, { seq: 1 }).sort({ seq: -1 }).lean())?.seq ?? 0,
    build(entry) {
      const placement = placementOf(entry);
      return placement ? workforceFactsOf(entry, placement) : null;
    },
    ...(logger ? { logger } : {}),
  });
}

/**
 * Today's segments from the facts in memory, with the same arithmetic as `directoryFigures` (the
 * workforce test holds the two to the same answers); sanctions and rotations of the window are read
 * through their date indexes as for any day, and placed by the facts instead of a directory pipeline.
 */
async function figuresFromMemory(today: TodaysFigures, query: SegmentQuery, withPositions: boolean): Promise<Array<ComputedCell<PersonnelMeasures>>> {
  const asOf = query.asOf.getTime();
  const store = today.facts;
  const at = await store.current();
  const [table, windows, staffRows] = await Promise.all([
    factsTable(store, at, (f) => f.placement),
    today.window.forDay(query.asOf),
    withPositions ? today.staff.rows() : Promise.resolve(null),
  ]);
  // Each row's days of service and position (as a code), once per day and version of the facts.
  const perRow = await store.derive(
    'tenure and position per row',
    String(asOf),
    (facts) => {
      const tenure = new Float64Array(table.size);
      const position = new Int32Array(table.size);
      const codes = new Map<string, number>();
      for (let r = 0; r < table.size; r++) {
        const f = facts.get(table.ids[r])!;
        tenure[r] = tenureDays(f, asOf);
        let code = f.positionId === null ? -1 : codes.get(f.positionId);
        if (code === undefined) codes.set(f.positionId!, (code = codes.size));
        position[r] = code;
      }
      return { tenure, position, positions: codes.size };
    },
    at,
  );
  const { groupOf, groups } = groupTable(table, query);
  const n = groups.length;
  const women = new Float64Array(n);
  const tenure = new Float64Array(n);
  const held = new Float64Array(n);
  const sanctions = new Float64Array(n);
  const rotations = new Float64Array(n);
  const female = table.codeOf.gender.get('FEMALE') ?? -2;
  const gender = table.codes.gender;
  // A position counted once per segment, as $addToSet does: its first segment in an array (a Set
  // of 100,000 pairs cost milliseconds per question), any other segment in a Set (a position is
  // held in one segment all but always).
  const firstSegment = withPositions ? new Int32Array(perRow.positions).fill(-1) : null;
  let otherSegments: Set<number> | undefined;
  for (let r = 0; r < table.size; r++) {
    const g = groupOf[r];
    if (g < 0) continue;
    if (gender[r] === female) women[g] += 1;
    tenure[g] += perRow.tenure[r];
    const position = perRow.position[r];
    if (firstSegment === null || position < 0) continue;
    const first = firstSegment[position];
    if (first === -1) {
      firstSegment[position] = g;
      held[g] += 1;
    } else if (first !== g) {
      const pair = g * perRow.positions + position;
      otherSegments ??= new Set();
      if (!otherSegments.has(pair)) {
        otherSegments.add(pair);
        held[g] += 1;
      }
    }
  }
  const addWindow = (perServant: Map<string, number>, into: Float64Array) => {
    for (const [id, count] of perServant) {
      const r = table.rowOf.get(id);
      if (r !== undefined && groupOf[r] >= 0) into[groupOf[r]] += count;
    }
  };
  addWindow(windows.sanctions, sanctions);
  addWindow(windows.rotations, rotations);
  const positions = staffRows ? positionsPerCellOf(staffRows, query) : null;
  return groups.map((g, i): ComputedCell<PersonnelMeasures> => {
    const vacancies = positions ? Math.max(0, (positions.get(cellIdOf(query.groupBy, g.values)) ?? 0) - held[i]) : null;
    return { values: g.values, headcount: g.headcount, measures: measuresOf(g.headcount, women[i], tenure[i], sanctions[i], rotations[i], vacancies) };
  });
}

function measuresOf(headcount: number, women: number, tenureDays: number, sanctions: number, rotations: number, vacancies: number | null): PersonnelMeasures {
  return {
    headcount,
    vacancies,
    womenShare: women / headcount,
    averageTenureYears: round(tenureDays / headcount / 365.25, 2),
    sanctionsPer1000: round((sanctions * 1000) / headcount, 1),
    rotationsLast12Months: rotations,
  };
}

/** personnel's SegmentComputer through pipelines: every segment of a question from at most six commands. */
export function personnelSegmentPipeline(m: PersonnelModels, directory: DirectoryModels): SegmentComputer<PersonnelMeasures> {
  return async (query) => {
    const withPositions = hasVacancies(query);
    const [rows, windows, positions] = await Promise.all([
      directoryFigures(directory, query, withPositions),
      windowCounts(m, directory, query),
      withPositions ? positionsPerCell(m, query) : Promise.resolve(null),
    ]);
    return rows.map((row): ComputedCell<PersonnelMeasures> => {
      const values = segmentValuesOf(query, row._id);
      const cell = cellIdOf(query.groupBy, values);
      return {
        values,
        headcount: row.headcount,
        measures: measuresOf(
          row.headcount,
          row.women,
          row.tenureDays,
          windows.sanctions.get(cell) ?? 0,
          windows.rotations.get(cell) ?? 0,
          positions ? Math.max(0, (positions.get(cell) ?? 0) - (row.held ?? 0)) : null,
        ),
      };
    });
  };
}

/** What today's questions are answered from, each kept in memory and re-read when its data changes. */
export interface TodaysFigures {
  facts: WorkforceFactStore;
  staff: StaffList;
  window: TodaysWindowFacts;
}

export function todaysFigures(db: Connection, m: PersonnelModels, directory: DirectoryModels, logger?: Logger): TodaysFigures {
  return { facts: workforceFactStore(db, directory, logger), staff: new StaffList(db, m), window: new TodaysWindowFacts(db, m) };
}

/** personnel's SegmentComputer: today's questions from memory, past days through pipelines. */
export function personnelSegmentComputer(m: PersonnelModels, directory: DirectoryModels, today: TodaysFigures): SegmentComputer<PersonnelMeasures> {
  const pipeline = personnelSegmentPipeline(m, directory);
  return (query) => (query.current ? figuresFromMemory(today, query, hasVacancies(query)) : pipeline(query));
}
