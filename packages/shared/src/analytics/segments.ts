import DataLoader from 'dataloader';
import { callerOf } from '../auth/request-state';
import { cellIdOf, decodeSegmentKey, encodeSegmentKey, type QuestionMemo } from './segment-key';
import { suppressedCells, suppressesFor } from './suppression';
import type { SegmentQuery, SegmentValues } from './dimensions';

/** One segment as a subgraph computed it: its servants' count (from its directory) and its measures. */
export interface ComputedCell<M> {
  values: SegmentValues;
  headcount: number;
  measures: M;
}

/** Computes every segment of a question at once: a fixed number of pipelines, whatever the segment count. */
export type SegmentComputer<M> = (query: SegmentQuery) => Promise<Array<ComputedCell<M>>>;

export interface ResolvedSegment<M> {
  key: string;
  query: SegmentQuery;
  values: SegmentValues;
  suppressed: boolean;
  /** Null when suppressed, or when this subgraph has no such segment (its copy lags personnel's). */
  measures: M | null;
  headcount: number | null;
}

export interface SegmentOptions {
  /** Smallest segment shown to roles that see suppressed figures. */
  threshold: number;
  today: () => Date;
}

/** The order of String#localeCompare, without building a collator per comparison (thousands of segments per question). */
const collator = new Intl.Collator();

/**
 * A question's cells in cell order, suppression applied. `withKeys`: encode each segment's key
 * (personnel's `workforce`); the entity side answers under the keys it was asked with.
 */
function resolveCells<M>(query: SegmentQuery, cells: Array<ComputedCell<M>>, suppress: boolean, threshold: number, withKeys = true): Array<ResolvedSegment<M> & { cellId: string }> {
  const identified = cells.map((cell) => ({ cell, id: cellIdOf(query.groupBy, cell.values) }));
  // The order is the answer's (personnel), and suppression's: which of two equal cells is hidden
  // second must not depend on the subgraph. The entity side matches by cell id otherwise.
  const sorted = withKeys || suppress ? identified.sort((a, b) => collator.compare(a.id, b.id)) : identified;
  const hidden = suppress ? suppressedCells(sorted.map(({ cell }) => ({ values: query.groupBy.map((d) => cell.values[d] ?? null), headcount: cell.headcount })), threshold) : new Set<number>();
  return sorted.map(({ cell, id }, i) => ({
    key: withKeys ? encodeSegmentKey(query, cell.values) : '',
    cellId: id,
    query,
    values: cell.values,
    suppressed: hidden.has(i),
    measures: hidden.has(i) ? null : cell.measures,
    headcount: hidden.has(i) ? null : cell.headcount,
  }));
}

/** personnel's `workforce`: every segment of the question, with small ones hidden for all but monitoring. */
export async function resolveWorkforce<M>(query: SegmentQuery, compute: SegmentComputer<M>, context: unknown, options: SegmentOptions): Promise<Array<ResolvedSegment<M>>> {
  return resolveCells(query, await compute(query), suppressesFor(callerOf(context)?.role), options.threshold).map(({ cellId: _, ...segment }) => segment);
}

/**
 * The other subgraphs' side of a WorkforceSegment entity: all the keys of a request in one batch,
 * one computation per distinct question (normally one), suppression recomputed here from this
 * subgraph's own headcounts, never taken from the caller. Use it through `lazySegmentLoader`.
 */
function createSegmentLoader<M>(compute: SegmentComputer<M>, context: unknown, options: SegmentOptions): DataLoader<string, ResolvedSegment<M>> {
  const suppress = suppressesFor(callerOf(context)?.role);
  return new DataLoader<string, ResolvedSegment<M>>(async (keys) => {
    const today = options.today();
    const memo: QuestionMemo = new Map();
    const decoded = keys.map((key) => {
      try {
        return decodeSegmentKey(key, today, memo);
      } catch (err) {
        return err as Error;
      }
    });
    // Keys of one question share their query object (the memo): one computation per question.
    const queries = [...new Set(memo.values())];
    const answers = new Map<SegmentQuery, Map<string, ResolvedSegment<M>>>();
    await Promise.all(
      queries.map(async (query) => {
        const cells = await compute(query);
        answers.set(query, new Map(resolveCells(query, cells, suppress, options.threshold, false).map(({ cellId, ...s }) => [cellId, s])));
      }),
    );
    return decoded.map((d, i) => {
      if (d instanceof Error) return d;
      const found = answers.get(d.query)!.get(cellIdOf(d.query.groupBy, d.values));
      // Answered under the key as asked (a re-encoding may order the filter differently). Not in
      // this subgraph's copy yet: nothing to show; hidden where small cells are.
      return found ? { ...found, key: keys[i] } : { key: keys[i], query: d.query, values: d.values, suppressed: suppress, measures: null, headcount: null };
    });
  });
}

/**
 * A request's segment loader, made on first use from a resolver's `context` (put the returned
 * function in the per-request loaders): Apollo hands resolvers a copy of the context, and the
 * caller, on whom suppression depends, is attached to that copy after the context factory has run.
 */
export function lazySegmentLoader<M>(compute: SegmentComputer<M>, options: SegmentOptions): (context: unknown) => DataLoader<string, ResolvedSegment<M>> {
  let loader: DataLoader<string, ResolvedSegment<M>> | undefined;
  return (context) => (loader ??= createSegmentLoader(compute, context, options));
}
