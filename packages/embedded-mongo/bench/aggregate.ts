import { loadavg } from 'node:os';
import type { Document } from 'bson';
import { segmentStages } from '@civil-service/shared';
import { runFast, runMingo, runsWithoutCopy } from '../src/aggregation/run';
import { compileFilter } from '../src/storage/query';
import { DAY, directory, median, seeded } from './directory';

/**
 * `npm run bench:aggregate [-- --docs N] [-- --runs N]`: the workforce-segment pipelines on
 * directory entries, through the compiled fast path and through mingo, in process (no driver),
 * both given the same leading-$match result the server's planner would hand them.
 */

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const DOCS = Number(arg('docs') ?? 100_000);
const RUNS = Number(arg('runs') ?? 5);

function records(n: number, servants: number): Document[] {
  const rng = seeded(11);
  return Array.from({ length: n }, (_, i) => ({
    _id: `rec-${i}`,
    servantId: Math.floor(rng() * servants).toString(16).padStart(24, '0'),
    status: rng() < 0.7 ? 'COMPLETED' : 'PLANNED',
    endDate: new Date(Date.UTC(2020, 0, 1) + Math.floor(rng() * 1800) * DAY),
    hours: Math.floor(rng() * 40),
  }));
}

function main(): void {
  const asOf = new Date(Date.UTC(2024, 5, 30));
  const docs = directory(DOCS);
  const recs = records(DOCS * 3, DOCS);
  const resolve = (name: string) => (name === 'records' ? recs : []);
  const group = { $group: { _id: '$seg', headcount: { $sum: 1 }, women: { $sum: { $cond: [{ $eq: ['$gender', 'FEMALE'] }, 1, 0] } } } };
  const p1 = [...segmentStages({ groupBy: ['REGION'], filter: {}, asOf }), group];
  const p2 = [...segmentStages({ groupBy: ['STATE_BODY'], filter: {}, asOf }), group];
  const done = { $filter: { input: '$r', as: 'x', cond: { $and: [{ $eq: ['$$x.status', 'COMPLETED'] }, { $lte: ['$$x.endDate', asOf] }] } } };
  const p3 = [
    ...segmentStages({ groupBy: ['REGION'], filter: {}, asOf }),
    { $lookup: { from: 'records', localField: '_id', foreignField: 'servantId', as: 'r' } },
    { $addFields: { completed: { $size: done } } },
    { $group: { _id: '$seg', headcount: { $sum: 1 }, trained: { $sum: { $cond: [{ $gt: ['$completed', 0] }, 1, 0] } }, completions: { $sum: '$completed' } } },
  ];
  console.log(`${DOCS} directory entries, ${recs.length} records, ${RUNS} runs each; load average ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  for (const [label, pipeline] of [['P1 segments by REGION', p1], ['P2 segments by STATE_BODY', p2], ['P3 P1 + $lookup records + $filter/$size', p3]] as const) {
    const [first, ...rest] = pipeline as Document[];
    const q = compileFilter(first.$match as Document);
    const times = { match: [] as number[], fast: [] as number[], mingo: [] as number[] };
    let rows = 0;
    for (let run = 0; run < RUNS; run++) {
      let t = performance.now();
      // The leading $match is the planner's (a scan here: $elemMatch has no index); both engines get its result.
      const matched = docs.filter((d) => q.test(d));
      times.match.push(performance.now() - t);
      t = performance.now();
      const fast = runFast(matched, rest, resolve);
      times.fast.push(performance.now() - t);
      t = performance.now();
      const copyFree = runsWithoutCopy(rest);
      const slow = runMingo(
        matched.map((d) => (copyFree ? { ...d } : d)),
        rest,
        { resolve, copyFree },
      );
      times.mingo.push(performance.now() - t);
      if (fast.length !== slow.length) throw new Error(`${label}: fast ${fast.length} groups, mingo ${slow.length}`);
      rows = fast.length;
    }
    const m = (xs: number[]) => `${median(xs).toFixed(0)} ms`;
    console.log(`${label} (${rows} groups): leading $match ${m(times.match)}; rest of the pipeline: fast ${m(times.fast)}, mingo ${m(times.mingo)}`);
  }
}

main();
