/**
 * `npm run bench` end to end on a tiny stack: it must start everything, produce every figure and
 * stop cleanly. No timing is asserted: on a shared machine only the presence of figures is stable.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const REPO_ROOT = path.resolve(__dirname, '..');

interface Summary {
  scenario: string;
  gateway: string;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  subgraphRequestsPerRequest: number;
  dbCommandsPerRequest: number;
  gatewayPeakRssMB: number | null;
  subgraphPeakRssMB: Record<string, number>;
  mongoPeakRssMB: number;
  failedRequests: number;
  connections: number;
  p50ByVariable?: Array<{ variables: string; p50Ms: number }>;
}

interface Report {
  pinning: { note: string };
  machine: { calibrationBefore: { jsonRoundTripMs: number }; calibrationAfter: { jsonRoundTripMs: number } };
  sizes: Array<{
    servants: number;
    summaries: Summary[];
    ratios: Array<{ scenario: string; rps: number; p50: number; p99: number }>;
    pageSizeProbe: Array<{ pageSize: number; dbCommandsPerRequest: number }>;
    gatewayOverheadP50: number | null;
    targets: Array<{ what: string; status: string }>;
    runs: Array<{ scenario: string; gateway: string; subgraphCallsThroughProxies: number }>;
  }>;
}

function runBench(args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('npx', ['tsx', 'bench/run.ts', ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('npm run bench (smoke)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-smoke-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('produces every figure for every scenario, ours and the peer', async () => {
    const out = path.join(dir, 'out.json');
    const { code, output } = await runBench(['--servants', '60', '--duration', '1', '--warmup', '0', '--rounds', '1', '--connections', '2', '--probe-requests', '2', '--out', out]);
    // The output's tail is shown only when the bench failed: it says why.
    expect({ code, tail: code === 0 ? '' : output.slice(-3000) }).toEqual({ code: 0, tail: '' });
    expect(output).toMatch(/req\/s/);
    expect(output).toMatch(/pinning|pinned/);

    const report = JSON.parse(readFileSync(out, 'utf8')) as Report;
    // The machine's speed that day, by which runs of different days compare.
    for (const c of [report.machine.calibrationBefore, report.machine.calibrationAfter]) expect(c.jsonRoundTripMs).toBeGreaterThan(0);
    expect(output).toMatch(/machine speed .* ms before, .* ms after/);
    expect(report.sizes).toHaveLength(1);
    const [size] = report.sizes;
    const expected = ['a/ours', 'a/hive', 'b/ours', 'b/hive', 'c/ours', 'c/hive', 'd/none', 'e/ours', 'e/hive', 'f/ours', 'f/hive', 'g/ours', 'h/ours', 'i/ours', 'j/ours', 'k/ours', 'k/hive'];
    expect(size.summaries.map((s) => `${s.scenario}/${s.gateway}`).sort()).toEqual([...expected].sort());
    for (const s of size.summaries) {
      const label = `${s.scenario}/${s.gateway}`;
      for (const figure of [s.rps, s.p50Ms, s.p99Ms, s.subgraphRequestsPerRequest, s.dbCommandsPerRequest, s.mongoPeakRssMB]) {
        expect({ label, ok: Number.isFinite(figure) && figure > 0 }).toEqual({ label, ok: true });
      }
      expect(Object.keys(s.subgraphPeakRssMB).sort()).toEqual(['evaluation', 'personnel', 'services-quality', 'training']);
      for (const rss of Object.values(s.subgraphPeakRssMB)) expect(rss).toBeGreaterThan(0);
      if (s.gateway === 'none') expect(s.gatewayPeakRssMB).toBeNull();
      else expect(s.gatewayPeakRssMB).toBeGreaterThan(0);
      expect({ label, failed: s.failedRequests }).toEqual({ label, failed: 0 });
    }
    // The personnel-only query reaches one subgraph, through the gateway or not.
    for (const s of size.summaries.filter((x) => x.scenario === 'c' || x.scenario === 'd')) expect(s.subgraphRequestsPerRequest).toBeCloseTo(1, 0);
    // The floor of the profile reaches every subgraph once.
    for (const s of size.summaries.filter((x) => x.scenario === 'k')) expect(s.subgraphRequestsPerRequest).toBeCloseTo(4, 0);

    expect(size.ratios.map((r) => r.scenario).sort()).toEqual(['a', 'b', 'c', 'e', 'f', 'k']);
    for (const r of size.ratios) for (const x of [r.rps, r.p50, r.p99]) expect(Number.isFinite(x) && x > 0).toBe(true);
    expect(size.pageSizeProbe.map((p) => p.pageSize)).toEqual([10, 100]);
    for (const p of size.pageSizeProbe) expect(p.dbCommandsPerRequest).toBeGreaterThan(0);
    expect(Number.isFinite(size.gatewayOverheadP50)).toBe(true);
    // The analytics questions run at their own concurrency (5), whatever --connections says.
    for (const s of size.summaries.filter((x) => 'efghij'.includes(x.scenario))) expect(s.connections).toBe(5);
    expect(size.targets.length).toBe(7 + 6);
    // The workforce questions by state body, one p50 each (their answers differ in size); the
    // profiles, thousands of IINs, get none.
    const byQuestion = size.summaries.find((x) => x.scenario === 'f' && x.gateway === 'ours')?.p50ByVariable;
    expect(byQuestion?.length).toBe(11);
    expect(new Set(byQuestion?.map((q) => q.variables)).size).toBe(11);
    expect(size.summaries.find((x) => x.scenario === 'a')?.p50ByVariable).toBeUndefined();
    expect(output).toMatch(/p50 ms by question/);
    // Timed runs load gateways that call the subgraphs directly: the counting proxies see none of their calls.
    expect(size.runs.length).toBeGreaterThan(0);
    for (const run of size.runs) expect({ run: `${run.scenario}/${run.gateway}`, proxied: run.subgraphCallsThroughProxies }).toEqual({ run: `${run.scenario}/${run.gateway}`, proxied: 0 });
  }, 240_000);
});
