import { AGE_BAND_FLOORS, AGE_BANDS, type SegmentQuery, type SegmentValues, type WorkforceDimension } from '../analytics/dimensions';

/** A MongoDB aggregation stage (mongoose's PipelineStage is stricter than the builders here need). */
export type Stage = Record<string, unknown>;

/** Where each dimension's value is, on a directory entry after `segmentStages` (`p`: the period held on asOf). */
const DIMENSION_PATHS: Record<WorkforceDimension, string | null> = {
  REGION: '$p.region',
  STATE_BODY: '$p.stateBodyId',
  STATE_BODY_LEVEL: '$p.stateBodyLevel',
  CORPS: '$p.corps',
  CATEGORY_CODE: '$p.categoryCode',
  GENDER: '$gender',
  AGE_BAND: null,
};

const FILTER_FIELDS: Record<string, string> = {
  region: 'region',
  stateBodyId: 'stateBodyId',
  stateBodyLevel: 'stateBodyLevel',
  corps: 'corps',
  categoryCode: 'categoryCode',
};

/** Period conditions as a query ($elemMatch) and as an expression on `$$period` ($filter). */
function periodConditions(query: SegmentQuery): { match: Record<string, unknown>; expr: unknown[] } {
  const match: Record<string, unknown> = { from: { $lte: query.asOf }, $or: [{ to: null }, { to: { $gte: query.asOf } }] };
  const expr: unknown[] = [{ $lte: ['$$period.from', query.asOf] }, { $or: [{ $eq: ['$$period.to', null] }, { $gte: ['$$period.to', query.asOf] }] }];
  for (const [filterField, periodField] of Object.entries(FILTER_FIELDS)) {
    const value = query.filter[filterField as keyof SegmentQuery['filter']];
    if (value === undefined) continue;
    match[periodField] = value;
    expr.push({ $eq: [`$$period.${periodField}`, value] });
  }
  return { match, expr };
}

/**
 * The servants in service on `asOf` that the filter selects, each with `p` (the assignment held
 * that day; the latest started when a data-quality fault left two) and `seg` (its dimension values,
 * the group key). `extraMatch` narrows further (hr's scope, a set of ids).
 */
export function segmentStages(query: SegmentQuery, extraMatch: Record<string, unknown> = {}): Stage[] {
  if (query.current) return currentSegmentStages(query, extraMatch);
  const { match, expr } = periodConditions(query);
  const top: Record<string, unknown> = { periods: { $elemMatch: match }, ...extraMatch };
  if (query.filter.gender) top.gender = query.filter.gender;
  const seg: Record<string, unknown> = {};
  for (const dimension of query.groupBy) seg[dimension] = DIMENSION_PATHS[dimension] ?? ageBandExpression(query.asOf);
  return [
    { $match: top },
    { $addFields: { p: { $arrayElemAt: [{ $filter: { input: '$periods', as: 'period', cond: { $and: expr } } }, -1] } } },
    { $addFields: { seg: segValue(seg) } },
  ];
}

/** Where each dimension's current value is on a directory entry (null when not in service). */
const CURRENT_PATHS: Record<WorkforceDimension, string | null> = {
  REGION: '$region',
  STATE_BODY: '$stateBodyId',
  STATE_BODY_LEVEL: '$stateBodyLevel',
  CORPS: '$corps',
  CATEGORY_CODE: '$categoryCode',
  GENDER: '$gender',
  AGE_BAND: null,
};

/**
 * Today's question: the directory's current fields say who is in service and where, so the
 * history need not be searched (the open assignment is the entry's last period, `p`). The same
 * servants the list returns for the same filter.
 */
function currentSegmentStages(query: SegmentQuery, extraMatch: Record<string, unknown>): Stage[] {
  const own: Record<string, unknown> = { stateBodyId: { $ne: null } };
  for (const field of [...Object.keys(FILTER_FIELDS), 'gender']) {
    const value = query.filter[field as keyof SegmentQuery['filter']];
    if (value !== undefined) own[field] = value;
  }
  const top = Object.keys(extraMatch).length > 0 ? { $and: [own, extraMatch] } : own;
  const seg: Record<string, unknown> = {};
  for (const dimension of query.groupBy) seg[dimension] = CURRENT_PATHS[dimension] ?? ageBandExpression(query.asOf);
  return [{ $match: top }, { $addFields: { p: { $arrayElemAt: ['$periods', -1] }, seg: segValue(seg) } }];
}

/** MongoDB refuses an empty object as a field's value in $addFields: no grouping is one literal group. */
function segValue(seg: Record<string, unknown>): unknown {
  return Object.keys(seg).length > 0 ? seg : { $literal: {} };
}

function ageBandExpression(asOf: Date): unknown {
  const age = { $subtract: [asOf.getUTCFullYear(), '$birthYear'] };
  const branches = AGE_BAND_FLOORS.map((floor, i) => ({ case: { $gte: [age, floor] }, then: AGE_BANDS[i] })).reverse();
  return { $switch: { branches, default: AGE_BANDS[0] } };
}

/** A `$group` `_id` back into segment values (the group key is `seg`). */
export function segmentValuesOf(query: SegmentQuery, groupId: unknown): SegmentValues {
  const id = (groupId ?? {}) as Record<string, unknown>;
  const values: SegmentValues = {};
  for (const dimension of query.groupBy) {
    const value = id[dimension];
    values[dimension] = value === undefined || value === null ? null : String(value);
  }
  return values;
}

/** hr's scope on directory entries: servants now in `stateBodyId` or a body under it. */
export function scopeMatch(stateBodyId: string): Record<string, unknown> {
  return { bodyChain: stateBodyId };
}
