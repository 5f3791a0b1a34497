/**
 * One measured run: the load generator in its own process against one URL, with the counting
 * proxies and peak RSS read around it, so every figure of a run covers exactly that run.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { peakRss, resetPeakRss, start, waitForQuiet, type Proc } from './proc';
import type { Scenario } from './scenarios';
import { SUBGRAPHS, type Stack, type SubgraphName } from './stack';

export interface LoadJob {
  url: string;
  /** Authorization and X-Purpose: every request is a caller's, as in production. */
  headers: Record<string, string>;
  query: string;
  operationName: string;
  variables: Array<Record<string, unknown>>;
  /** Where in `variables` to start, so consecutive runs ask for different records. */
  offset: number;
  connections: number;
  durationSec: number;
}

export interface LoadResult {
  /** Completed responses, clean or not: the base of the latency percentiles. */
  requests: number;
  /**
   * Requests sent, including the few still in flight when the run stopped: the base of the
   * per-request counts, since the servers finish those too and their calls are counted.
   */
  sent: number;
  durationSec: number;
  /** Clean answers (2xx without `errors`) per second. */
  rps: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  graphqlErrors: number;
  firstError?: string;
  variablesUsed: number;
  variablesRepeated: number;
  nextOffset: number;
  /**
   * For a job of few variables (at most 32, load-worker.ts: the analytics questions), each one's answers
   * and their p50, in the job's order. The workforce questions by state body answer from 20 to
   * 2,900 segments each: the mix's median alone does not say which of them waits.
   */
  byVariable?: Array<{ variables: string; answers: number; p50Ms: number }>;
}

export interface RunFigures extends LoadResult {
  scenario: string;
  gateway: 'ours' | 'hive' | 'none';
  round: number;
  connections: number;
  dbCommandsPerRequest: number;
  dbCommandsBySubgraph: Record<SubgraphName, number>;
  dbCommandsByName: Record<string, number>;
  /**
   * Subgraph calls that went through the counting proxies during the run: 0, as the timed gateways
   * call the subgraphs directly (Stack.gateways); the sequential probes count those calls (CountProbe).
   */
  subgraphCallsThroughProxies: number;
  /** Mean ms from a database command to its reply's first byte, by subgraph. */
  dbMsPerCommand: Record<SubgraphName, number>;
  /** Bytes; the gateway's is null for a run straight to a subgraph. */
  gatewayPeakRss: number | null;
  subgraphPeakRss: Record<SubgraphName, number>;
  mongoPeakRss: number;
  /** False when the kernel refused to reset the high-water mark: the peaks are since start. */
  rssPerRun: boolean;
}

export interface LoadTarget {
  url: string;
  gateway: 'ours' | 'hive' | 'none';
  proc?: Proc;
}

/** Runs the worker and returns what it printed. */
export async function runLoad(job: LoadJob, cpus: string | undefined): Promise<LoadResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-load-'));
  try {
    const file = path.join(dir, 'job.json');
    writeFileSync(file, JSON.stringify(job));
    const proc = start('load', 'npx', ['tsx', 'bench/load-worker.ts', file], {}, cpus);
    const code = await proc.exited;
    const line = proc.tail().trim().split('\n').pop() ?? '';
    if (code !== 0 || !line.startsWith('{')) throw new Error(`load generator exited with ${code}:\n${proc.output()}`);
    // JSON has no NaN: a run with no answer at all prints null percentiles.
    return JSON.parse(line, (_key, value: unknown) => (value === null ? NaN : value)) as LoadResult;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Database commands so far: the subgraphs reach MongoDB through its counting proxies in every run. */
function snapshot(stack: Stack) {
  const calls = SUBGRAPHS.reduce((a, n) => a + stack.subgraphProxies[n].total(), 0);
  const db = {} as Record<SubgraphName, number>;
  const dbMs = {} as Record<SubgraphName, number>;
  const names: Record<string, number> = {};
  for (const name of SUBGRAPHS) {
    db[name] = stack.mongoProxies[name].total();
    dbMs[name] = stack.mongoProxies[name].waitedMs();
    for (const [command, n] of Object.entries(stack.mongoProxies[name].counts())) names[command] = (names[command] ?? 0) + n;
  }
  return { calls, db, dbMs, names };
}

function perRequest<K extends string>(after: Record<K, number>, before: Record<K, number>, requests: number): Record<K, number> {
  const out = {} as Record<K, number>;
  for (const key of Object.keys(after) as K[]) out[key] = requests ? (after[key] - (before[key] ?? 0)) / requests : NaN;
  return out;
}

/**
 * Waits until the requests cut off at the end of a run are answered: their DB calls belong to this
 * run's counts, and work left behind would land in the next run. Their DB commands are seen at the
 * proxies; the gateways' subgraph calls pass no proxy, so the rest is done when the gateways and
 * the backend fall quiet (a workforce answer by state body still in flight is ~190 ms of CPU).
 */
export async function settle(stack: Stack, maxMs = 180_000): Promise<void> {
  const busy = () => SUBGRAPHS.reduce((a, n) => a + stack.mongoProxies[n].inFlight(), 0);
  const deadline = Date.now() + maxMs;
  // Two quiet looks in a row: a gateway may be between two fetches of one query plan.
  let quiet = 0;
  while (quiet < 2 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    quiet = busy() === 0 ? quiet + 1 : 0;
  }
  const servers = [...SUBGRAPHS.map((n) => stack.mongos[n]), ...SUBGRAPHS.map((n) => stack.subgraphs[n].proc), ...Object.values(stack.gateways).flatMap((g) => (g ? [g.proc] : []))];
  await waitForQuiet(servers, { windowMs: 250, maxMs: 15_000 });
}

function meanPerCall(ms: Record<SubgraphName, number>, msBefore: Record<SubgraphName, number>, calls: Record<SubgraphName, number>, callsBefore: Record<SubgraphName, number>) {
  const out = {} as Record<SubgraphName, number>;
  for (const n of SUBGRAPHS) out[n] = calls[n] > callsBefore[n] ? (ms[n] - msBefore[n]) / (calls[n] - callsBefore[n]) : NaN;
  return out;
}

const sum = (values: Record<string, number>) => Object.values(values).reduce((a, b) => a + b, 0);

export async function measure(stack: Stack, scenario: Scenario, target: LoadTarget, opts: { round: number; offset: number; connections: number; durationSec: number; loadCpus?: string }): Promise<RunFigures> {
  const watched = [target.proc, ...SUBGRAPHS.map((n) => stack.mongos[n]), ...SUBGRAPHS.map((n) => stack.subgraphs[n].proc)].filter((p): p is Proc => p !== undefined);
  const rssPerRun = watched.map(resetPeakRss).every(Boolean);
  const before = snapshot(stack);
  const result = await runLoad(
    { url: target.url, headers: stack.headers, query: scenario.query, operationName: scenario.operationName, variables: scenario.variables, offset: opts.offset, connections: opts.connections, durationSec: opts.durationSec },
    opts.loadCpus,
  );
  await settle(stack);
  const after = snapshot(stack);
  const db = perRequest(after.db, before.db, result.sent);
  const subgraphPeakRss = {} as Record<SubgraphName, number>;
  for (const name of SUBGRAPHS) subgraphPeakRss[name] = peakRss(stack.subgraphs[name].proc);
  return {
    ...result,
    scenario: scenario.id,
    gateway: target.gateway,
    round: opts.round,
    connections: opts.connections,
    dbCommandsPerRequest: sum(db),
    dbCommandsBySubgraph: db,
    dbCommandsByName: perRequest(after.names, before.names, result.sent),
    subgraphCallsThroughProxies: after.calls - before.calls,
    dbMsPerCommand: meanPerCall(after.dbMs, before.dbMs, after.db, before.db),
    gatewayPeakRss: target.proc ? peakRss(target.proc) : null,
    subgraphPeakRss,
    // The four databases' servers together: the memory the data takes.
    mongoPeakRss: SUBGRAPHS.reduce((total, n) => total + peakRss(stack.mongos[n]), 0),
    rssPerRun,
  };
}
