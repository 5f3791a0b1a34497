import { utcDay } from '../dates';
import { badUserInput } from '../errors';
import { parseIsoDay } from '../scalars';

/**
 * The workforce question's vocabulary, shared by the four subgraphs: every subgraph groups its own
 * facts by the same dimensions, read from its copy of the servant directory, so a segment means the
 * same servants in each of them.
 */
export const WORKFORCE_DIMENSIONS = ['REGION', 'STATE_BODY', 'STATE_BODY_LEVEL', 'CORPS', 'CATEGORY_CODE', 'GENDER', 'AGE_BAND'] as const;
export type WorkforceDimension = (typeof WORKFORCE_DIMENSIONS)[number];

export const REGIONS = [
  'ABAI', 'AKMOLA', 'AKTOBE', 'ALMATY_REGION', 'ATYRAU', 'WEST_KAZAKHSTAN', 'ZHAMBYL', 'ZHETISU', 'KARAGANDA', 'KOSTANAY',
  'KYZYLORDA', 'MANGYSTAU', 'PAVLODAR', 'NORTH_KAZAKHSTAN', 'TURKISTAN', 'ULYTAU', 'EAST_KAZAKHSTAN', 'ASTANA', 'ALMATY', 'SHYMKENT',
] as const;
export const STATE_BODY_LEVELS = ['CENTRAL', 'CENTRAL_TERRITORIAL_OBLAST', 'CENTRAL_TERRITORIAL_DISTRICT', 'LOCAL_OBLAST', 'LOCAL_DISTRICT', 'LOCAL_RURAL', 'SPECIAL'] as const;
export const CORPS_VALUES = ['A', 'B'] as const;
export const GENDER_VALUES = ['MALE', 'FEMALE'] as const;

/** Age bands by completed years in the year of `asOf` (the directory keeps the birth year only). */
export const AGE_BANDS = ['UNDER_30', 'FROM_30_TO_39', 'FROM_40_TO_49', 'FROM_50_TO_59', 'SIXTY_AND_OVER'] as const;
export type AgeBand = (typeof AGE_BANDS)[number];
/** Lower bound of each band, in years, in AGE_BANDS order. */
export const AGE_BAND_FLOORS = [0, 30, 40, 50, 60] as const;

export function ageBandOf(birthYear: number, asOf: Date): AgeBand {
  const age = asOf.getUTCFullYear() - birthYear;
  let band: AgeBand = AGE_BANDS[0];
  AGE_BAND_FLOORS.forEach((floor, i) => {
    if (age >= floor) band = AGE_BANDS[i];
  });
  return band;
}

/** The conditions of a workforce question; all optional, all must hold. */
export interface WorkforceFilter {
  region?: string;
  stateBodyId?: string;
  stateBodyLevel?: string;
  corps?: string;
  categoryCode?: string;
  gender?: string;
}

/** One workforce question: what to group by, which servants, on which day. */
export interface SegmentQuery {
  groupBy: WorkforceDimension[];
  filter: WorkforceFilter;
  /** UTC midnight of the day asked about. */
  asOf: Date;
  /**
   * asOf is today: the servants in service now, placed by their current assignment (the
   * directory's current fields, as the servant list filters them), without searching the history.
   */
  current?: boolean;
}

/** A segment's dimension values, in `groupBy` order; null for a dimension not grouped by. */
export type SegmentValues = Partial<Record<WorkforceDimension, string | null>>;

const OBJECT_ID = /^[0-9a-f]{24}$/;
const CATEGORY_CODE = /^(A|B|C|C-O|C-R|D|D-O|E|E-R|E-G)-[1-9]$/;

function oneOf(values: readonly string[], value: unknown, field: string): string {
  if (typeof value !== 'string' || !values.includes(value)) throw badUserInput(`${field} must be one of ${values.join(', ')}`, field);
  return value;
}

/** Checks a filter from the API (or from a segment key, which a caller could forge). */
export function checkWorkforceFilter(raw: unknown): WorkforceFilter {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw badUserInput('filter must be an object', 'filter');
  const input = raw as Record<string, unknown>;
  const out: WorkforceFilter = {};
  for (const [field, value] of Object.entries(input)) {
    if (value === undefined || value === null) continue;
    switch (field) {
      case 'region':
        out.region = oneOf(REGIONS, value, 'filter.region');
        break;
      case 'stateBodyLevel':
        out.stateBodyLevel = oneOf(STATE_BODY_LEVELS, value, 'filter.stateBodyLevel');
        break;
      case 'corps':
        out.corps = oneOf(CORPS_VALUES, value, 'filter.corps');
        break;
      case 'gender':
        out.gender = oneOf(GENDER_VALUES, value, 'filter.gender');
        break;
      case 'stateBodyId':
        if (typeof value !== 'string' || !OBJECT_ID.test(value.toLowerCase())) throw badUserInput('filter.stateBodyId must be a state body id (24 hexadecimal digits)', 'filter.stateBodyId');
        out.stateBodyId = value.toLowerCase();
        break;
      case 'categoryCode':
        if (typeof value !== 'string' || !CATEGORY_CODE.test(value)) throw badUserInput('filter.categoryCode must be a category code such as C-O-4 or E-G-1', 'filter.categoryCode');
        out.categoryCode = value;
        break;
      default:
        throw badUserInput(`filter.${field} is not a workforce filter field`, `filter.${field}`);
    }
  }
  return out;
}

/** Checks `groupBy`: known dimensions, each at most once; order is kept (it is the segment order). */
export function checkGroupBy(raw: unknown): WorkforceDimension[] {
  if (!Array.isArray(raw)) throw badUserInput('groupBy must be a list of dimensions', 'groupBy');
  const seen = new Set<string>();
  return raw.map((value) => {
    const dimension = oneOf(WORKFORCE_DIMENSIONS, value, 'groupBy') as WorkforceDimension;
    if (seen.has(dimension)) throw badUserInput(`groupBy names ${dimension} twice`, 'groupBy');
    seen.add(dimension);
    return dimension;
  });
}

/** UTC midnight of `today` when no date is asked; a future date has no data yet. */
export function checkAsOf(raw: unknown, today: Date): Date {
  const day = utcDay(today);
  if (raw === undefined || raw === null) return day;
  const asOf = raw instanceof Date ? raw : parseIsoDay(raw);
  if (asOf.getTime() > day.getTime()) throw badUserInput('asOf must not be in the future', 'asOf');
  if (asOf.getUTCFullYear() < 1991) throw badUserInput('asOf must not be before 1991 (the register starts with independence)', 'asOf');
  return asOf;
}

/** The API arguments of `workforce`, checked, as one question. */
export function segmentQueryOf(args: { groupBy?: unknown; filter?: unknown; asOf?: unknown }, today: Date): SegmentQuery {
  const asOf = checkAsOf(args.asOf, today);
  return { groupBy: checkGroupBy(args.groupBy), filter: checkWorkforceFilter(args.filter), asOf, current: isToday(asOf, today) };
}

export function isToday(day: Date, today: Date): boolean {
  return day.getTime() === utcDay(today).getTime();
}

/** Date arithmetic on UTC days, for the "last 12 / 36 months" windows. */
export function addUtcMonths(day: Date, months: number): Date {
  const d = new Date(day.getTime());
  const dayOfMonth = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(dayOfMonth, last));
  return d;
}
