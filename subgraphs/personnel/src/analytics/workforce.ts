import type { Types } from 'mongoose';
import {
  addUtcMonths,
  cellIdOf,
  segmentStages,
  segmentValuesOf,
  type ComputedCell,
  type DirectoryModels,
  type SegmentComputer,
  type SegmentQuery,
} from '@civil-service/shared';
import type { PersonnelModels } from '../models';
import { FIRST_BATCH } from './batch';
import { hasVacancies, positionsPerCell } from './vacancies';

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
 * Sanctions and rotations of the window per segment: the window's facts through their date
 * indexes, then the segment of the servants concerned on asOf through the directory's _id index.
 * Three commands, whatever the number of segments or servants.
 */
async function windowCounts(m: PersonnelModels, directory: DirectoryModels, query: SegmentQuery): Promise<{ sanctions: Map<string, number>; rotations: Map<string, number> }> {
  const since = addUtcMonths(query.asOf, -12);
  const [sanctions, rotations] = await Promise.all([
    m.Sanction.find({ imposedOn: { $gt: since, $lte: query.asOf } }, { _id: 0, servantId: 1 }).batchSize(FIRST_BATCH).lean<Array<{ servantId: Types.ObjectId }>>().exec(),
    m.Rotation.find({ startDate: { $gt: since, $lte: query.asOf } }, { _id: 0, servantId: 1 }).batchSize(FIRST_BATCH).lean<Array<{ servantId: Types.ObjectId }>>().exec(),
  ]);
  const perServant = (rows: Array<{ servantId: Types.ObjectId }>) => {
    const out = new Map<string, number>();
    for (const r of rows) out.set(r.servantId.toHexString(), (out.get(r.servantId.toHexString()) ?? 0) + 1);
    return out;
  };
  const sanctionsOf = perServant(sanctions);
  const rotationsOf = perServant(rotations);
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

/** personnel's SegmentComputer: every segment of a question from at most six commands. */
export function personnelSegmentComputer(m: PersonnelModels, directory: DirectoryModels): SegmentComputer<PersonnelMeasures> {
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
      const sanctions = windows.sanctions.get(cell) ?? 0;
      return {
        values,
        headcount: row.headcount,
        measures: {
          headcount: row.headcount,
          vacancies: positions ? Math.max(0, (positions.get(cell) ?? 0) - (row.held ?? 0)) : null,
          womenShare: row.women / row.headcount,
          averageTenureYears: round(row.tenureDays / row.headcount / 365.25, 2),
          sanctionsPer1000: round((sanctions * 1000) / row.headcount, 1),
          rotationsLast12Months: windows.rotations.get(cell) ?? 0,
        },
      };
    });
  };
}
