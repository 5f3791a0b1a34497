/**
 * Turns runs into figures: medians over rounds, our-to-peer ratios, the issue's targets, console
 * tables and the JSON in bench/results/. Nothing here measures; it only summarises.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RunFigures } from './load';
import type { CountProbe, PageSizeProbe } from './probe';
import { REPO_ROOT } from './proc';
import { ANALYTICS_CONNECTIONS, ANALYTICS_IDS, type ScenarioId } from './scenarios';
import { SUBGRAPHS, type SubgraphName } from './stack';

export interface Summary {
  scenario: ScenarioId;
  title: string;
  gateway: 'ours' | 'hive' | 'none';
  rounds: number;
  connections: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  subgraphRequestsPerRequest: number;
  dbCommandsPerRequest: number;
  gatewayPeakRssMB: number | null;
  subgraphPeakRssMB: Record<SubgraphName, number>;
  mongoPeakRssMB: number;
  failedRequests: number;
  variablesRepeated: number;
  dbMsPerCommand: Record<SubgraphName, number>;
  /** Each variable's p50, median over rounds, where the scenario has few (LoadResult.byVariable). */
  p50ByVariable?: Array<{ variables: string; p50Ms: number }>;
}

export interface Ratio {
  scenario: ScenarioId;
  /** Ours divided by Hive's, medians over rounds; per round beside them. */
  rps: number;
  p50: number;
  p99: number;
  perRound: Array<{ round: number; rps: number; p50: number; p99: number }>;
}

export interface Target {
  what: string;
  status: 'met' | 'missed' | 'n/a';
  detail: string;
}

export interface SizeReport {
  servants: number;
  samples: { iins: number; pageStarts: number };
  /** How long the servers kept busy after seeding before the first measured run (waitForQuiet). */
  quietAfterMs: number;
  pageSizeProbe: PageSizeProbe[];
  countProbes: CountProbe[];
  summaries: Summary[];
  ratios: Ratio[];
  gatewayOverheadP50: number | null;
  targets: Target[];
  runs: RunFigures[];
}

const MB = 1024 * 1024;
const median = (xs: number[]) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const max = (xs: number[]) => Math.max(...xs);

function medianBySubgraph(xs: Array<Record<SubgraphName, number>>): Record<SubgraphName, number> {
  return Object.fromEntries(SUBGRAPHS.map((n) => [n, median(xs.map((x) => x[n]))])) as Record<SubgraphName, number>;
}

/** Counts per request come from the sequential probe when there is one: exact, not cut off. */
export function summarise(runs: RunFigures[], titles: Record<ScenarioId, string>, probes: CountProbe[]): Summary[] {
  const probe = (r: RunFigures) => probes.find((p) => p.scenario === r.scenario && p.gateway === r.gateway);
  const groups = new Map<string, RunFigures[]>();
  for (const run of runs) groups.set(`${run.scenario}/${run.gateway}`, [...(groups.get(`${run.scenario}/${run.gateway}`) ?? []), run]);
  return [...groups.values()].map((rs) => ({
    scenario: rs[0].scenario as ScenarioId,
    title: titles[rs[0].scenario as ScenarioId],
    gateway: rs[0].gateway,
    rounds: rs.length,
    connections: rs[0].connections,
    rps: median(rs.map((r) => r.rps)),
    p50Ms: median(rs.map((r) => r.p50Ms)),
    p99Ms: median(rs.map((r) => r.p99Ms)),
    // Timed runs call the subgraphs directly: only the probes count those calls.
    subgraphRequestsPerRequest: probe(rs[0])?.subgraphRequestsPerRequest ?? NaN,
    dbCommandsPerRequest: probe(rs[0])?.dbCommandsPerRequest ?? median(rs.map((r) => r.dbCommandsPerRequest)),
    gatewayPeakRssMB: rs[0].gatewayPeakRss === null ? null : max(rs.map((r) => r.gatewayPeakRss ?? 0)) / MB,
    subgraphPeakRssMB: Object.fromEntries(SUBGRAPHS.map((n) => [n, max(rs.map((r) => r.subgraphPeakRss[n])) / MB])) as Record<SubgraphName, number>,
    mongoPeakRssMB: max(rs.map((r) => r.mongoPeakRss)) / MB,
    failedRequests: rs.reduce((a, r) => a + r.non2xx + r.errors + r.timeouts + r.graphqlErrors, 0),
    variablesRepeated: rs.reduce((a, r) => a + r.variablesRepeated, 0),
    dbMsPerCommand: medianBySubgraph(rs.map((r) => r.dbMsPerCommand)),
    ...(rs[0].byVariable ? { p50ByVariable: rs[0].byVariable.map(({ variables }, i) => ({ variables, p50Ms: median(rs.map((r) => r.byVariable?.[i]?.p50Ms ?? NaN)) })) } : {}),
  }));
}

/**
 * Labels for a scenario's variables: each one's JSON without the fields all of them share (the
 * workforce questions' `groupBy`, the alert lists' `first`), so what tells them apart is left; a
 * single field left (`filter`) is shown by its value.
 */
export function variableLabels(variables: string[]): string[] {
  if (variables.length < 2) return variables;
  const parsed = variables.map((v) => JSON.parse(v) as Record<string, unknown>);
  const shared = new Set(Object.keys(parsed[0]).filter((key) => parsed.every((p) => JSON.stringify(p[key]) === JSON.stringify(parsed[0][key]))));
  const rest = parsed.map((p) => Object.fromEntries(Object.entries(p).filter(([key]) => !shared.has(key))));
  // One field left, the same for all (`filter`): its value says it.
  const fields = new Set(rest.flatMap((r) => Object.keys(r)));
  if (fields.size === 1 && rest.every((r) => Object.keys(r).length <= 1)) {
    const [field] = fields;
    return rest.map((r) => JSON.stringify(r[field] ?? {}));
  }
  return rest.map((r) => JSON.stringify(r));
}

export function ratios(runs: RunFigures[]): Ratio[] {
  const out: Ratio[] = [];
  for (const scenario of [...new Set(runs.filter((r) => r.gateway === 'hive').map((r) => r.scenario))] as ScenarioId[]) {
    const perRound = [...new Set(runs.map((r) => r.round))].flatMap((round) => {
      const ours = runs.find((r) => r.scenario === scenario && r.gateway === 'ours' && r.round === round);
      const hive = runs.find((r) => r.scenario === scenario && r.gateway === 'hive' && r.round === round);
      return ours && hive ? [{ round, rps: ours.rps / hive.rps, p50: ours.p50Ms / hive.p50Ms, p99: ours.p99Ms / hive.p99Ms }] : [];
    });
    const of = (gw: string, f: (r: RunFigures) => number) => median(runs.filter((r) => r.scenario === scenario && r.gateway === gw).map(f));
    out.push({ scenario, rps: of('ours', (r) => r.rps) / of('hive', (r) => r.rps), p50: of('ours', (r) => r.p50Ms) / of('hive', (r) => r.p50Ms), p99: of('ours', (r) => r.p99Ms) / of('hive', (r) => r.p99Ms), perRound });
  }
  return out;
}

export function evaluateTargets(servants: number, connections: number, summaries: Summary[], rs: Ratio[], probe: PageSizeProbe[]): Target[] {
  const ours = (id: ScenarioId) => summaries.find((s) => s.scenario === id && s.gateway !== 'hive');
  const targets: Target[] = [];
  const check = (what: string, ok: boolean | undefined, detail: string) => targets.push({ what, status: ok === undefined ? 'n/a' : ok ? 'met' : 'missed', detail });
  const [p10, p100] = probe;
  check('DB commands per list request same for page 10 and 100', p10 && p100 ? p10.dbCommandsPerRequest === p100.dbCommandsPerRequest : undefined, p10 && p100 ? `${fmt(p10.dbCommandsPerRequest)} vs ${fmt(p100.dbCommandsPerRequest)}${p10.failed + p100.failed ? ` (${p10.failed + p100.failed} probe answers had errors)` : ''}` : 'not probed');
  const atScale = servants === 100_000 && connections === 20;
  const scaleNote = atScale ? '' : ` (target is for 100,000 servants at 20 connections; this run: ${servants} at ${connections})`;
  const a = ours('a');
  const b = ours('b');
  const floor = ours('k');
  const floorNote = floor ? `; (k), one field from each subgraph: ${fmt(floor.p50Ms)} ms` : '';
  check('profile p50 < 30 ms', a && atScale ? a.p50Ms < 30 : undefined, a ? `${fmt(a.p50Ms)} ms${floorNote}${scaleNote}` : 'not run');
  check('list page p50 < 100 ms', b && atScale ? b.p50Ms < 100 : undefined, b ? `${fmt(b.p50Ms)} ms${scaleNote}` : 'not run');
  const c = ours('c');
  const d = ours('d');
  check('gateway (c) p50 <= 1.3 x direct (d) p50', c && d ? c.p50Ms <= 1.3 * d.p50Ms : undefined, c && d ? `${fmt(c.p50Ms)} / ${fmt(d.p50Ms)} ms = ${fmt(c.p50Ms / d.p50Ms)}` : 'needs c and d');
  for (const id of ['a', 'b'] as const) {
    const r = rs.find((x) => x.scenario === id);
    check(`our throughput >= Hive's on (${id})`, r ? r.rps >= 1 : undefined, r ? `ours/Hive = ${fmt(r.rps)}` : 'peer not run');
  }
  // Issue 6: each analytics question under 300 ms p50 at 5 connections, at 100,000 servants.
  for (const id of ANALYTICS_IDS) {
    const s = ours(id);
    if (!s) continue;
    const analyticsAtScale = servants === 100_000 && s.connections === ANALYTICS_CONNECTIONS;
    check(`(${id}) ${s.title} p50 < 300 ms`, analyticsAtScale ? s.p50Ms < 300 : undefined, `${fmt(s.p50Ms)} ms${analyticsAtScale ? '' : ` (target is for 100,000 servants at ${ANALYTICS_CONNECTIONS} connections; this run: ${servants} at ${s.connections})`}`);
  }
  const rss = summaries.filter((s) => s.gateway === 'ours' && s.gatewayPeakRssMB !== null).map((s) => s.gatewayPeakRssMB!);
  check('gateway RSS < 300 MB', rss.length ? max(rss) < 300 : undefined, rss.length ? `peak ${fmt(max(rss))} MB` : 'not run');
  return targets;
}

export function fmt(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '-';
  if (Math.abs(x) >= 100) return x.toFixed(0);
  if (Math.abs(x) >= 10) return x.toFixed(1);
  return x.toFixed(2);
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

const SHORT: Record<SubgraphName, string> = { personnel: 'pers', training: 'train', evaluation: 'eval', 'services-quality': 'sq' };

export function printSize(report: SizeReport, print: (s: string) => void): void {
  print(`\n=== ${report.servants} servants (${report.samples.iins} IINs, ${report.samples.pageStarts} page starts collected) ===`);
  const header = ['scenario', 'gateway', 'req/s', 'p50 ms', 'p99 ms', 'subgr req/req', 'DB cmd/req', 'gw RSS MB', ...SUBGRAPHS.map((n) => `${SHORT[n]} RSS`), 'mongo RSS', 'failed'];
  print(
    table(
      header,
      report.summaries.map((s) => [
        `(${s.scenario}) ${s.title}`,
        s.gateway,
        fmt(s.rps),
        fmt(s.p50Ms),
        fmt(s.p99Ms),
        fmt(s.subgraphRequestsPerRequest),
        fmt(s.dbCommandsPerRequest),
        fmt(s.gatewayPeakRssMB),
        ...SUBGRAPHS.map((n) => fmt(s.subgraphPeakRssMB[n])),
        fmt(s.mongoPeakRssMB),
        String(s.failedRequests),
      ]),
    ),
  );
  const byQuestion = report.summaries.filter((s) => s.p50ByVariable && s.p50ByVariable.length > 1);
  if (byQuestion.length) {
    print('\np50 ms by question, median over rounds (scenarios of few questions, whose answers differ in size):');
    for (const s of byQuestion) {
      const labels = variableLabels(s.p50ByVariable!.map((v) => v.variables));
      print(`  (${s.scenario}) ${s.gateway}: ${s.p50ByVariable!.map((v, i) => `${fmt(v.p50Ms)} ${labels[i]}`).join(', ')}`);
    }
  }
  if (report.ratios.length) {
    print('\nours / Hive Gateway (medians over rounds; >1 is better for req/s, <1 is better for latency):');
    print(table(['scenario', 'req/s', 'p50', 'p99', 'req/s by round'], report.ratios.map((r) => [`(${r.scenario})`, fmt(r.rps), fmt(r.p50), fmt(r.p99), r.perRound.map((x) => fmt(x.rps)).join(' ')])));
  }
  print('\nwhere the time goes under load: mean ms per DB command (subgraph -> MongoDB), timed at the proxies (subgraph calls: see the unloaded probes below):');
  print(
    table(
      ['scenario', 'gateway', 'p50 ms', ...SUBGRAPHS.map((n) => `${SHORT[n]} cmd`)],
      report.summaries.map((s) => [`(${s.scenario})`, s.gateway, fmt(s.p50Ms), ...SUBGRAPHS.map((n) => fmt(s.dbMsPerCommand[n]))]),
    ),
  );
  const unloaded = report.countProbes.filter((p) => p.gateway !== 'hive');
  if (unloaded.length) {
    print('\nunloaded, one request at a time: subgraph calls, and the costliest DB commands (ms per request = per request x mean ms):');
    for (const p of unloaded) {
      const calls = p.subgraphCalls.map((c) => `${SHORT[c.subgraph]} ${fmt(c.perRequest)}x${fmt(c.meanMs)} ms`).join(', ');
      const top = p.commands.slice(0, 6).map((c) => `${SHORT[c.subgraph]}:${c.command} ${fmt(c.perRequest)}x${fmt(c.meanMs)}`).join(', ');
      print(`  (${p.scenario})${p.failed ? ` ${p.failed}/${p.requests} answers had errors;` : ''} calls: ${calls}\n      DB: ${top}`);
    }
  }
  if (report.pageSizeProbe.length) {
    print('\nlist DB commands per request by page size (our gateway, sequential):');
    print(table(['first', 'requests', 'failed', 'servants/req', 'DB cmd/req', 'subgr req/req', ...SUBGRAPHS.map((n) => `${SHORT[n]} cmd`)], report.pageSizeProbe.map((p) => [String(p.pageSize), String(p.requests), String(p.failed), fmt(p.servantsPerRequest), fmt(p.dbCommandsPerRequest), fmt(p.subgraphRequestsPerRequest), ...SUBGRAPHS.map((n) => fmt(p.dbCommandsBySubgraph[n]))])));
  }
  print('\ntargets:');
  for (const t of report.targets) print(`  [${t.status.toUpperCase().padEnd(6)}] ${t.what}: ${t.detail}`);
}

/** With several sizes: each figure per size and how much it grew from the smallest to the largest. */
export function printGrowth(reports: SizeReport[], print: (s: string) => void): void {
  if (reports.length < 2) return;
  const rows: string[][] = [];
  const keys = reports[0].summaries.map((s) => `${s.scenario}/${s.gateway}`);
  const metrics: Array<[string, (s: Summary) => number | null]> = [
    ['req/s', (s) => s.rps],
    ['p50 ms', (s) => s.p50Ms],
    ['p99 ms', (s) => s.p99Ms],
    ['subgr req/req', (s) => s.subgraphRequestsPerRequest],
    ['DB cmd/req', (s) => s.dbCommandsPerRequest],
    ['gw RSS MB', (s) => s.gatewayPeakRssMB],
    ['max subgraph RSS MB', (s) => Math.max(...Object.values(s.subgraphPeakRssMB))],
  ];
  for (const key of keys) {
    for (const [name, get] of metrics) {
      const values = reports.map((r) => {
        const s = r.summaries.find((x) => `${x.scenario}/${x.gateway}` === key);
        return s ? get(s) : null;
      });
      const first = values[0];
      const last = values[values.length - 1];
      rows.push([`(${key}) ${name}`, ...values.map(fmt), first && last ? `x${fmt(last / first)}` : '-']);
    }
  }
  print('\ngrowth with size (x = largest / smallest):');
  print(table(['figure', ...reports.map((r) => String(r.servants)), 'growth'], rows));
}

/** To bench/results/bench-<stamp>.json, or to `target` when it is an absolute path (--out). */
export function writeJson(payload: object, target: string): string {
  const file = path.isAbsolute(target) ? target : path.join(REPO_ROOT, 'bench', 'results', `bench-${target}.json`);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(payload, null, 2)}\n`);
  return file;
}
