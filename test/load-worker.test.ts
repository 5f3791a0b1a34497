/**
 * The bench's load generator (bench/load-worker.ts) against a server whose answers are known: a
 * failing stack must not look fast, so answers carrying `"errors"` (even split between two
 * packets) and non-2xx answers are told apart from clean ones, and only clean ones are throughput.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runLoad } from '../bench/load';
import { variableLabels } from '../bench/report';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('bench load generator', () => {
  let server: Server;
  let url: string;
  const seen: Array<{ kind: string; body: string }> = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        const { variables } = JSON.parse(body) as { variables: { kind: string } };
        seen.push({ kind: variables.kind, body });
        void (async () => {
          if (variables.kind === 'clean') {
            // A long clean answer in Kazakh, in several writes: nothing in it may look like an error.
            res.writeHead(200, { 'content-type': 'application/json' });
            for (let i = 0; i < 4; i++) {
              res.write(`${i === 0 ? '{"data":{"names":[' : ','}${Array.from({ length: 2000 }, () => '"Қарағанды \\"errors\\" облысы"').join(',')}`);
              await pause(2);
            }
            res.end(']}}\n');
          } else if (variables.kind === 'error') {
            // `"errors"` cut in two between writes, late in the answer.
            res.writeHead(200, { 'content-type': 'application/json' });
            res.write(`{"data":{"names":[${'"Астана",'.repeat(5000)}"x"]},"err`);
            await pause(5);
            res.end('ors":[{"message":"boom","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}\n');
          } else {
            res.writeHead(503, { 'content-type': 'text/plain' });
            res.end('unavailable');
          }
        })();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('counts clean answers, answers with errors and failed statuses apart, and sends the variables in turn', async () => {
    const result = await runLoad(
      { url, headers: { authorization: 'Bearer test' }, query: 'query Q($kind: String) { names }', operationName: 'Q', variables: [{ kind: 'clean' }, { kind: 'error' }, { kind: 'down' }], offset: 1, connections: 2, durationSec: 2 },
      undefined,
    );
    // Every request the server saw was answered, but for those still out at the end (one per connection at most).
    const count = (kind: string) => seen.filter((s) => s.kind === kind).length;
    const clean = Math.round(result.rps * result.durationSec);
    expect(result.requests).toBeGreaterThan(10);
    expect(seen.length - result.requests).toBeLessThanOrEqual(2);
    expect(result.requests).toBe(clean + result.graphqlErrors + result.non2xx);
    for (const [kind, counted] of [['clean', clean], ['error', result.graphqlErrors], ['down', result.non2xx]] as const) {
      expect(count(kind) - counted).toBeGreaterThanOrEqual(0);
      expect(count(kind) - counted).toBeLessThanOrEqual(2);
    }
    expect(result.errors + result.timeouts).toBe(0);
    expect(result.firstError).toContain('"data"');
    // Starts at the offset and continues where it stopped.
    expect(seen[0].kind).toBe('error');
    expect(result.nextOffset).toBe(1 + result.sent);
    expect(JSON.parse(seen[0].body)).toEqual({ query: 'query Q($kind: String) { names }', operationName: 'Q', variables: { kind: 'error' } });
    expect(result.p50Ms).toBeGreaterThan(0);
    expect(result.p99Ms).toBeGreaterThanOrEqual(result.p50Ms);
    // Few variables: each one's answers and p50, in the job's order; the long clean answer, written
    // in four pieces with pauses between, is slower than the immediate 503.
    expect(result.byVariable?.map((v) => v.variables)).toEqual(['{"kind":"clean"}', '{"kind":"error"}', '{"kind":"down"}']);
    expect(result.byVariable!.reduce((total, v) => total + v.answers, 0)).toBe(result.requests);
    expect(result.byVariable![0].p50Ms).toBeGreaterThan(result.byVariable![2].p50Ms);
  });

  it('labels the variables by what tells them apart', () => {
    expect(variableLabels(['{"groupBy":["STATE_BODY"],"filter":{}}', '{"groupBy":["STATE_BODY"],"filter":{"corps":"A"}}'])).toEqual(['{}', '{"corps":"A"}']);
    expect(variableLabels(['{"filter":{"region":"ASTANA"},"first":20}', '{"first":20}'])).toEqual(['{"region":"ASTANA"}', '{}']);
    expect(variableLabels(['{"a":1,"b":2}', '{"a":2,"b":3}'])).toEqual(['{"a":1,"b":2}', '{"a":2,"b":3}']);
    expect(variableLabels(['{"only":1}'])).toEqual(['{"only":1}']);
  });
});
