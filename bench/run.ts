/**
 * `npm run bench [-- --servants 20000 --duration 10 --connections 20 --rounds 4 --scenarios a,b,c,d]`
 *
 * For each size: starts its own stack (bench/stack.ts), seeds it, collects real IINs and page
 * cursors, checks every scenario answers, probes DB commands by page size, warms up, then runs
 * ours and the peer alternately for several rounds, and reports (bench/report.ts).
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { calibrate } from './calibrate';
import { measure, runLoad, settle, type LoadTarget, type RunFigures } from './load';
import { checkAnswers, probeCounts, probePageSizes, type CountProbe } from './probe';
import { pinSelf, planPinning, repin, REPO_ROOT, waitForQuiet, type Pinning } from './proc';
import { evaluateTargets, fmt, printGrowth, printSize, ratios, summarise, writeJson, type SizeReport } from './report';
import { buildScenarios, collectSamples, SCENARIO_IDS, type Scenario, type ScenarioId } from './scenarios';
import { startStack, type Stack } from './stack';

export interface BenchArgs {
  servants: number[];
  seed: string;
  durationSec: number;
  warmupSec: number;
  connections: number;
  rounds: number;
  scenarios: ScenarioId[];
  peer: boolean;
  pin: boolean;
  probeRequests: number;
  out?: string;
}

const USAGE = `usage: npm run bench -- [--servants 20000[,50000,...]] [--seed 1] [--duration 10] [--warmup 5]
  [--connections 20] [--rounds 4] [--scenarios a,b,c,d] [--no-peer] [--no-pin] [--probe-requests 20] [--out file.json]`;

function positiveInt(name: string, raw: string, min = 1): number {
  if (!/^\d+$/.test(raw) || Number(raw) < min) throw new Error(`--${name} must be a whole number >= ${min}, got '${raw}'\n${USAGE}`);
  return Number(raw);
}

export function parseBenchArgs(argv: string[]): BenchArgs {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      servants: { type: 'string', default: '20000' },
      seed: { type: 'string', default: '1' },
      duration: { type: 'string', default: '10' },
      warmup: { type: 'string', default: '5' },
      connections: { type: 'string', default: '20' },
      rounds: { type: 'string', default: '4' },
      scenarios: { type: 'string', default: SCENARIO_IDS.join(',') },
      'no-peer': { type: 'boolean', default: false },
      'no-pin': { type: 'boolean', default: false },
      'probe-requests': { type: 'string', default: '20' },
      out: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const scenarios = values.scenarios.split(',').map((s) => s.trim());
  for (const s of scenarios) if (!(SCENARIO_IDS as readonly string[]).includes(s)) throw new Error(`--scenarios: unknown scenario '${s}' (known: ${SCENARIO_IDS.join(',')})`);
  return {
    servants: values.servants.split(',').map((s) => positiveInt('servants', s.trim())),
    seed: values.seed,
    durationSec: positiveInt('duration', values.duration),
    warmupSec: positiveInt('warmup', values.warmup, 0),
    connections: positiveInt('connections', values.connections),
    rounds: positiveInt('rounds', values.rounds),
    scenarios: scenarios as ScenarioId[],
    peer: !values['no-peer'],
    pin: !values['no-pin'],
    probeRequests: positiveInt('probe-requests', values['probe-requests'], 0),
    out: values.out,
  };
}

const log = (line: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
const loadAverage = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');

/**
 * Our gateway and, when asked and the scenario allows, the peer: in that order, every round. These
 * call the subgraphs directly; `countedUrl` is where the same target counts its calls (probes only).
 */
function targetsFor(scenario: Scenario, stack: Stack, peer: boolean): LoadTarget[] {
  if (scenario.target === 'personnel') return [{ url: stack.subgraphs.personnel.url, gateway: 'none' }];
  const out: LoadTarget[] = [{ url: stack.gateways.ours!.url, gateway: 'ours', proc: stack.gateways.ours!.proc }];
  if (peer && scenario.peer && stack.gateways.hive) out.push({ url: stack.gateways.hive.url, gateway: 'hive', proc: stack.gateways.hive.proc });
  return out;
}

/** The same target reached through the counting proxies: the counted gateway, or personnel's proxy. */
function countedUrl(target: LoadTarget, stack: Stack): string {
  if (target.gateway === 'none') return stack.subgraphs.personnel.proxiedUrl;
  return stack.countedGateways[target.gateway]!.url;
}

async function benchOneSize(args: BenchArgs, servants: number, pinning: Pinning, onStack: (s: Stack | undefined) => void): Promise<SizeReport> {
  log(`--- ${servants} servants; load average ${loadAverage()}`);
  const stack = await startStack({ servants, seed: args.seed, pinning, withPeer: args.peer, log });
  onStack(stack);
  try {
    const started = Date.now();
    const samples = await collectSamples(stack.subgraphs.personnel.url, stack.headers, args.seed);
    log(`collected ${samples.iins.length} IINs and ${samples.pages.length} page starts in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const all = buildScenarios(samples);
    const scenarios = args.scenarios.map((id) => all[id]);
    for (const scenario of scenarios) for (const t of targetsFor(scenario, stack, args.peer)) await checkAnswers(t.url, stack.headers, scenario, t.gateway, log);
    const pageSizeProbe = args.probeRequests > 0 ? await probePageSizes(stack, samples, args.probeRequests) : [];
    const countProbes: CountProbe[] = [];
    if (args.probeRequests > 0) {
      for (const s of scenarios) for (const t of targetsFor(s, stack, args.peer)) countProbes.push(await probeCounts(stack, s, countedUrl(t, stack), t.gateway, args.probeRequests));
    }

    const backend = [...Object.values(stack.mongos), ...Object.values(stack.subgraphs).map((sub) => sub.proc)];
    const quiet = await waitForQuiet([...backend, ...[...Object.values(stack.gateways), ...Object.values(stack.countedGateways)].flatMap((g) => (g ? [g.proc] : []))]);
    log(`${quiet.quiet ? 'servers quiet' : 'servers still busy, measuring anyway'} after ${(quiet.waitedMs / 1000).toFixed(0)} s (background work after seeding: journal snapshots, facts read into memory)`);

    // Each run starts where the previous one of its scenario stopped, so runs ask for new records.
    const offsets = new Map<ScenarioId, number>(scenarios.map((s) => [s.id, 0]));
    // The backend's CPUs for a scenario: its own core(s), or every CPU where it does most of the work (Pinning.all).
    const placeBackend = (s: Scenario) => {
      const cpus = s.backendOnAllCpus && pinning.all ? pinning.all : pinning.backend;
      repin(backend, cpus);
      pinSelf(cpus);
    };
    const job = (s: Scenario, url: string, durationSec: number) => ({ url, headers: stack.headers, query: s.query, operationName: s.operationName, variables: s.variables, offset: offsets.get(s.id)!, connections: s.connections ?? args.connections, durationSec });
    if (args.warmupSec > 0) {
      for (const s of scenarios) {
        placeBackend(s);
        for (const t of targetsFor(s, stack, args.peer)) {
          const r = await runLoad(job(s, t.url, args.warmupSec), pinning.load);
          offsets.set(s.id, r.nextOffset);
          await settle(stack);
          log(`warm-up (${s.id}) ${t.gateway}: ${fmt(r.rps)} req/s`);
        }
      }
    }
    const runs: RunFigures[] = [];
    for (let round = 1; round <= args.rounds; round++) {
      for (const s of scenarios) {
        placeBackend(s);
        // Who runs second in a round finds the backend warmer (its figures drift upwards over the
        // rounds): the order swaps every round (A B, B A, ...), so with an even number of rounds
        // neither gateway always has the better place.
        const targets = targetsFor(s, stack, args.peer);
        for (const t of round % 2 === 0 ? targets.reverse() : targets) {
          const figures = await measure(stack, s, t, { round, offset: offsets.get(s.id)!, connections: s.connections ?? args.connections, durationSec: args.durationSec, loadCpus: pinning.load });
          offsets.set(s.id, figures.nextOffset);
          runs.push(figures);
          const failed = figures.non2xx + figures.errors + figures.timeouts + figures.graphqlErrors;
          log(`round ${round} (${s.id}) ${t.gateway}: ${fmt(figures.rps)} req/s, p50 ${fmt(figures.p50Ms)} ms, p99 ${fmt(figures.p99Ms)} ms${failed ? `, ${failed} FAILED: ${figures.firstError ?? ''}` : ''}`);
        }
      }
    }
    const titles = Object.fromEntries(SCENARIO_IDS.map((id) => [id, all[id].title])) as Record<ScenarioId, string>;
    const summaries = summarise(runs, titles, countProbes);
    const rs = ratios(runs);
    const c = summaries.find((s) => s.scenario === 'c' && s.gateway === 'ours');
    const d = summaries.find((s) => s.scenario === 'd');
    return {
      servants,
      samples: { iins: samples.iins.length, pageStarts: samples.pages.length },
      quietAfterMs: quiet.waitedMs,
      pageSizeProbe,
      countProbes,
      summaries,
      ratios: rs,
      gatewayOverheadP50: c && d ? c.p50Ms / d.p50Ms : null,
      targets: evaluateTargets(servants, args.connections, summaries, rs, pageSizeProbe),
      runs,
    };
  } finally {
    onStack(undefined);
    await stack.stop();
  }
}

function packageVersion(name: string): string {
  try {
    return (JSON.parse(readFileSync(path.join(REPO_ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  const args = parseBenchArgs(process.argv.slice(2));
  const pinning = planPinning(args.pin);
  pinSelf(pinning.backend);
  log(`pinning: ${pinning.note}`);
  const loadBefore = loadAverage();
  const speedBefore = calibrate();
  log(`machine speed: ${fmt(speedBefore.jsonRoundTripMs)} ms per JSON round trip of a ${(speedBefore.answerBytes / 1e6).toFixed(1)} MB answer (median of ${speedBefore.rounds}; bench/calibrate.ts)`);
  let current: Stack | undefined;
  const interrupt = () => {
    log('interrupted: stopping the stack');
    void (current?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupt);
  process.once('SIGTERM', interrupt);

  const reports: SizeReport[] = [];
  const failures: Array<{ servants: number; error: string }> = [];
  for (const servants of args.servants) {
    try {
      reports.push(await benchOneSize(args, servants, pinning, (s) => (current = s)));
    } catch (err) {
      // One size failing (a seed that breaks at scale, say) must not throw away the others' figures.
      const error = err instanceof Error ? err.message : String(err);
      failures.push({ servants, error });
      log(`${servants} servants FAILED: ${error}`);
    }
  }

  const speedAfter = calibrate();
  const print = (s: string) => process.stdout.write(`${s}\n`);
  print(`\nbench: ${args.durationSec} s x ${args.rounds} rounds, ${args.connections} connections, scenarios ${args.scenarios.join(',')}; ${pinning.note}`);
  print(`load average before ${loadBefore}, after ${loadAverage()} (${os.cpus().length} CPUs)`);
  print(`machine speed (bench/calibrate.ts, JSON round trip of a ${(speedBefore.answerBytes / 1e6).toFixed(1)} MB answer): ${fmt(speedBefore.jsonRoundTripMs)} ms before, ${fmt(speedAfter.jsonRoundTripMs)} ms after; compare runs of different days by it`);
  for (const r of reports) printSize(r, print);
  printGrowth(reports, print);
  for (const f of failures) print(`\n${f.servants} servants: FAILED, no figures: ${f.error.slice(0, 2000)}`);
  const payload = {
    startedAt: new Date().toISOString(),
    args,
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, node: process.version, loadAverageBefore: loadBefore, loadAverageAfter: loadAverage(), calibrationBefore: speedBefore, calibrationAfter: speedAfter },
    pinning,
    versions: { hiveGateway: packageVersion('@graphql-hive/gateway'), hiveRouterRuntime: packageVersion('@graphql-hive/router-runtime'), apolloGateway: packageVersion('@apollo/gateway') },
    method: {
      load: 'bench/load-worker.ts in its own process on node:http keep-alive connections, closed loop, one request per connection at a time; answers read as bytes (searched for "errors"), not decoded; latency per response in float ms',
      variables: 'each request takes the next IIN or page start from a shuffled list collected from the seeded data; runs continue where the last stopped',
      counting:
        'TCP proxies in the bench process: HTTP requests from the gateway to each subgraph, MongoDB OP_MSG commands from each subgraph (hello/ping/handshake excluded). The summary figures come from --probe-requests sequential requests per scenario (exact); each run also has them under load, divided by requests sent',
      direct: 'scenario d goes to the personnel subgraph through the same counting proxy the gateway uses, so (c)/(d) isolates the gateway',
      rss: 'kernel high-water mark (VmHWM) of each server process, reset before every run when allowed',
    },
    sizes: reports,
    failures,
  };
  const file = writeJson(payload, args.out ? path.resolve(args.out) : new Date().toISOString().replace(/[:.]/g, '-'));
  print(`\nJSON: ${path.relative(process.cwd(), file)}`);
  if (failures.length) process.exitCode = 1;
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
