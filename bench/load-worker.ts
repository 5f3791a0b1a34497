/**
 * The load generator's own process (`tsx bench/load-worker.ts <job.json>`), so its CPU is not the
 * bench's and its garbage does not pause the counting proxies. Prints one JSON line: LoadResult.
 *
 * A closed loop on Node's own HTTP client: `connections` keep-alive connections, each with one
 * request at a time, for `durationSec`. Answers are read as bytes and searched for `"errors"`,
 * never decoded: the generator shares the machine's two cores with the servers, and autocannon,
 * used before, decoded every answer into a string with a JavaScript HTTP parser (23 ms of CPU
 * per 2 MB workforce answer by state body, 7 % of the machine at that scenario's pace).
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { LoadJob, LoadResult } from './load';

const ERRORS = Buffer.from('"errors"');
const KEEP_OF_ERROR = 400;
const TIMEOUT_MS = 30_000;
/** Jobs of at most this many variables (the analytics questions) get a p50 per variable. */
const FEW_VARIABLES = 32;

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

interface Answer {
  status: number;
  /** The answer's first bytes when it carries `errors`. */
  error?: string;
}

/** Whether `"errors"` occurs in the answer, chunk by chunk, including across two chunks. */
class ErrorsFinder {
  found = false;
  private tail = Buffer.alloc(0);

  push(chunk: Buffer): void {
    if (this.found) return;
    if (this.tail.length > 0) {
      const seam = Buffer.concat([this.tail, chunk.subarray(0, ERRORS.length - 1)]);
      if (seam.includes(ERRORS)) this.found = true;
    }
    if (chunk.includes(ERRORS)) this.found = true;
    this.tail = Buffer.from(chunk.subarray(Math.max(0, chunk.length - (ERRORS.length - 1))));
  }
}

class TimeoutError extends Error {}

function send(agent: http.Agent, url: URL, headers: Record<string, string>, body: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      { agent, host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { ...headers, 'content-type': 'application/json', 'content-length': body.length } },
      (response) => {
        const finder = new ErrorsFinder();
        let head: Buffer | undefined;
        response.on('data', (chunk: Buffer) => {
          head ??= Buffer.from(chunk.subarray(0, KEEP_OF_ERROR));
          finder.push(chunk);
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, ...(finder.found ? { error: head?.toString('utf8') ?? '' } : {}) }));
        response.on('error', reject);
      },
    );
    request.setTimeout(TIMEOUT_MS, () => request.destroy(new TimeoutError()));
    request.on('error', reject);
    request.end(body);
  });
}

async function main(): Promise<void> {
  const job = JSON.parse(readFileSync(process.argv[2], 'utf8')) as LoadJob;
  const url = new URL(job.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.connections });
  let next = job.offset;
  let sent = 0;
  let ok = 0;
  let non2xx = 0;
  let errors = 0;
  let timeouts = 0;
  let graphqlErrors = 0;
  let firstError: string | undefined;
  let latencies = new Float64Array(1 << 16);
  let count = 0;
  const perVariable = job.variables.length <= FEW_VARIABLES ? job.variables.map((): number[] => []) : null;

  const started = performance.now();
  const deadline = started + job.durationSec * 1000;

  async function connection(): Promise<void> {
    while (performance.now() < deadline) {
      const asked = next++ % job.variables.length;
      const variables = job.variables[asked];
      const body = Buffer.from(JSON.stringify({ query: job.query, operationName: job.operationName, variables }));
      const sentAt = performance.now();
      sent++;
      let answer: Answer;
      try {
        answer = await send(agent, url, job.headers, body);
      } catch (err) {
        // A request still out at the deadline is cut off by the run's end: neither a response nor an error.
        if (performance.now() >= deadline) return;
        if (err instanceof TimeoutError) timeouts++;
        else errors++;
        continue;
      }
      const at = performance.now();
      if (at > deadline) return;
      if (count === latencies.length) {
        const bigger = new Float64Array(latencies.length * 2);
        bigger.set(latencies);
        latencies = bigger;
      }
      latencies[count++] = at - sentAt;
      perVariable?.[asked].push(at - sentAt);
      const success = answer.status >= 200 && answer.status < 300;
      if (!success) non2xx++;
      // A 200 can still carry an error; the body is checked so a failing stack cannot look fast.
      if (answer.error !== undefined) {
        graphqlErrors++;
        firstError ??= answer.error;
      } else if (success) ok++;
    }
  }

  await Promise.race([Promise.all(Array.from({ length: job.connections }, () => connection())), new Promise((resolve) => setTimeout(resolve, job.durationSec * 1000 + 50))]);
  const durationSec = (Math.min(performance.now(), deadline) - started) / 1000;
  const sorted = latencies.slice(0, count).sort();
  const out: LoadResult = {
    requests: count,
    sent,
    durationSec,
    // Throughput counts clean answers only: a fast error is not served traffic.
    rps: ok / durationSec,
    p50Ms: percentile(sorted, 50),
    p90Ms: percentile(sorted, 90),
    p99Ms: percentile(sorted, 99),
    maxMs: count ? sorted[count - 1] : NaN,
    non2xx,
    errors,
    timeouts,
    graphqlErrors,
    firstError,
    ...(perVariable ? { byVariable: perVariable.map((xs, i) => ({ variables: JSON.stringify(job.variables[i]), answers: xs.length, p50Ms: percentile(Float64Array.from(xs).sort(), 50) })) } : {}),
    variablesUsed: Math.min(next - job.offset, job.variables.length),
    variablesRepeated: Math.max(0, next - job.offset - job.variables.length),
    nextOffset: next,
  };
  process.stdout.write(`${JSON.stringify(out)}\n`);
  // Requests still out at the deadline are abandoned, as a run's end cuts them off.
  agent.destroy();
  process.exit(0);
}

main().catch((err: unknown) => {
  process.stderr.write(`load worker: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
