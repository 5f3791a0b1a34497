import { loadavg } from 'node:os';
import type { Document } from 'bson';
import { compileFastFilter } from '../src/storage/filter';
import { mingoMatcher, prefilter } from '../src/storage/query';
import { directory, median } from './directory';

/**
 * `npm run bench:filter [-- --docs N] [-- --runs N]`: collection scans of directory entries with
 * the compiled filter against mingo's matcher, in process. "mingo + prefilter" is what the server
 * did before (a cheap check on top-level equalities in front of mingo); "mingo" is mingo alone.
 */

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const DOCS = Number(arg('docs') ?? 100_000);
const RUNS = Number(arg('runs') ?? 5);

function time(run: () => number): { ms: number; n: number } {
  const times: number[] = [];
  let n = 0;
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    n = run();
    times.push(performance.now() - t);
  }
  return { ms: median(times), n };
}

function main(): void {
  const docs = directory(DOCS);
  const asOf = new Date(Date.UTC(2012, 5, 30));
  const cases: [string, Document][] = [
    ['$elemMatch period open at a date in a region', { periods: { $elemMatch: { from: { $lte: asOf }, $or: [{ to: null }, { to: { $gte: asOf } }], region: 'region-3' } } }],
    ['{ stateBodyId: { $ne: null }, gender: FEMALE }', { stateBodyId: { $ne: null }, gender: 'FEMALE' }],
    ['find by an unindexed field { seq: 77777 }', { seq: 77_777 }],
    ['range on an unindexed field { birthYear: { $gte: 1990 } }', { birthYear: { $gte: 1990 } }],
  ];
  console.log(`${DOCS} directory entries, median of ${RUNS} scans; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  for (const [label, filter] of cases) {
    const fast = compileFastFilter(filter);
    if (!fast) throw new Error(`${label}: not compiled`);
    const q = mingoMatcher(filter);
    const pre = prefilter(filter);
    const count = (test: (d: Document) => boolean) => () => {
      let n = 0;
      for (const d of docs) if (test(d)) n++;
      return n;
    };
    const c = time(count(fast));
    const m = time(count((d) => q.test(d)));
    const p = time(count((d) => (!pre || pre(d)) && q.test(d)));
    if (c.n !== m.n || c.n !== p.n) throw new Error(`${label}: compiled ${c.n}, mingo ${m.n}, mingo + prefilter ${p.n}`);
    const f = (x: number) => `${x.toFixed(1)} ms`;
    console.log(`${label} (${c.n} matches): compiled ${f(c.ms)}, mingo + prefilter ${f(p.ms)}, mingo ${f(m.ms)} (${(m.ms / c.ms).toFixed(0)}x)`);
  }
}

main();
