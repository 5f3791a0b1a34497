import { integer } from '../config';

/**
 * Small-cell suppression, as national statistics offices do it. Primary: a segment of fewer than
 * `threshold` servants is hidden. Secondary: a hidden segment must not be recoverable by subtracting
 * the visible segments of a line from the line's total, which a coarser question (one dimension
 * fewer, or the same question without a filter value) gives. A line is every segment that agrees on
 * all dimensions but one; with one dimension, the line is the whole answer. When a line holds
 * exactly one hidden segment, the smallest visible one beside it is hidden too, until no line does.
 *
 * Every subgraph runs this on the headcounts of its own copy of the directory, so all four hide the
 * same segments (the copies agree once the change feed has caught up).
 */
export interface Cell {
  /** Dimension values, in groupBy order. */
  values: readonly (string | null)[];
  headcount: number;
}

/** The indexes of `cells` to hide. */
export function suppressedCells(cells: readonly Cell[], threshold: number): Set<number> {
  const hidden = new Set<number>();
  cells.forEach((cell, i) => {
    if (cell.headcount < threshold) hidden.add(i);
  });
  const width = cells[0]?.values.length ?? 0;
  if (width === 0 || hidden.size === 0) return hidden;

  // Lines along each dimension: cells grouped by their values on the other dimensions.
  const lines: number[][] = [];
  for (let d = 0; d < width; d++) {
    const byRest = new Map<string, number[]>();
    cells.forEach((cell, i) => {
      const rest = JSON.stringify(cell.values.filter((_, j) => j !== d));
      const line = byRest.get(rest);
      if (line) line.push(i);
      else byRest.set(rest, [i]);
    });
    lines.push(...byRest.values());
  }

  for (let changed = true; changed; ) {
    changed = false;
    for (const line of lines) {
      const inLine = line.filter((i) => hidden.has(i));
      if (inLine.length !== 1 || line.length < 2) continue;
      let smallest = -1;
      for (const i of line) {
        if (hidden.has(i)) continue;
        if (smallest < 0 || cells[i].headcount < cells[smallest].headcount) smallest = i;
      }
      if (smallest >= 0) {
        hidden.add(smallest);
        changed = true;
      }
    }
  }
  return hidden;
}

/** Roles that see every segment unsuppressed (the authorized body's monitoring). */
const SEES_SMALL_CELLS = new Set(['monitoring']);

export function suppressesFor(role: string | undefined): boolean {
  return !role || !SEES_SMALL_CELLS.has(role);
}

/** `ANALYTICS_MIN_CELL`: the smallest segment shown to roles other than monitoring (default 5). */
export function suppressionThresholdFrom(env: Record<string, string | undefined>): number {
  return integer(env, 'ANALYTICS_MIN_CELL', 5, { min: 1, max: 1000 });
}
