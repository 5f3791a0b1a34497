/**
 * The load generator's own process (`tsx bench/load-worker.ts <job.json>`), so its CPU is not the
 * bench's and its garbage does not pause the counting proxies. Prints one JSON line: LoadResult.
 */
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import type { LoadJob, LoadResult } from './load';

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

async function main(): Promise<void> {
  const job = JSON.parse(readFileSync(process.argv[2], 'utf8')) as LoadJob;
  const url = new URL(job.url);
  let next = job.offset;
  let graphqlErrors = 0;
  let ok = 0;
  let firstError: string | undefined;
  // autocannon keeps whole milliseconds in its histogram; a 2 ms p50 needs finer than that.
  let latencies = new Float64Array(1 << 16);
  let count = 0;

  let finished!: (result: autocannon.Result) => void;
  let failed!: (err: unknown) => void;
  const done = new Promise<autocannon.Result>((resolve, reject) => {
    finished = resolve;
    failed = reject;
  });
  const instance = autocannon(
    {
    url: url.origin,
    connections: job.connections,
    duration: job.durationSec,
    timeout: 30,
    requests: [
      {
        method: 'POST',
        path: url.pathname,
        headers: { 'content-type': 'application/json', ...job.headers },
        setupRequest: (request) => {
          const variables = job.variables[next++ % job.variables.length];
          return { ...request, body: JSON.stringify({ query: job.query, operationName: job.operationName, variables }) };
        },
        // A 200 can still carry an error; the body is checked so a failing stack cannot look fast.
        onResponse: (status, body) => {
          if (status >= 200 && status < 300 && !body.includes('"errors"')) ok++;
          if (body.includes('"errors"')) {
            graphqlErrors++;
            firstError ??= body.slice(0, 400);
          }
        },
      },
    ],
    },
    (err, result) => (err ? failed(err) : finished(result)),
  );
  instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
    if (count === latencies.length) {
      const bigger = new Float64Array(latencies.length * 2);
      bigger.set(latencies);
      latencies = bigger;
    }
    latencies[count++] = responseTime;
  });
  const result = await done;
  const sorted = latencies.slice(0, count).sort();
  const out: LoadResult = {
    requests: count,
    sent: result.requests.sent,
    durationSec: result.duration,
    // Throughput counts clean answers only: a fast error is not served traffic.
    rps: ok / result.duration,
    p50Ms: percentile(sorted, 50),
    p90Ms: percentile(sorted, 90),
    p99Ms: percentile(sorted, 99),
    maxMs: count ? sorted[count - 1] : NaN,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    graphqlErrors,
    firstError,
    variablesUsed: Math.min(next - job.offset, job.variables.length),
    variablesRepeated: Math.max(0, next - job.offset - job.variables.length),
    nextOffset: next,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`load worker: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
