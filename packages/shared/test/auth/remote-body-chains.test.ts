import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { remoteBodyChains } from '../../src';

/** A stand-in personnel: answers servantBodyChains from a table, or misbehaves on request. */
let server: Server;
let url: string;
let mode: 'ok' | 'slow' | 'error' = 'ok';
const seen: Array<{ ids: string[]; authorization?: string }> = [];
const CHAINS: Record<string, string[]> = { s1: ['b2', 'b1'], s2: ['b3'] };

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const ids = (JSON.parse(raw) as { variables: { ids: string[] } }).variables.ids;
      seen.push({ ids, authorization: req.headers.authorization });
      const answer = () => {
        res.setHeader('content-type', 'application/json');
        if (mode === 'error') return res.end(JSON.stringify({ errors: [{ message: 'FORBIDDEN' }], data: null }));
        res.end(JSON.stringify({ data: { servantBodyChains: ids.map((id) => ({ servantId: id, chain: CHAINS[id] ?? null })) } }));
      };
      if (mode === 'slow') setTimeout(answer, 500);
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  mode = 'ok';
  seen.length = 0;
});

const lookup = () => remoteBodyChains({ url, serviceToken: async () => 'svc', timeoutMs: 200 });

describe('remoteBodyChains', () => {
  it('asks once for all ids, with the service token, and answers in input order', async () => {
    expect(await lookup()(['s2', 'nobody', 's1'], {})).toEqual([['b3'], null, ['b2', 'b1']]);
    expect(seen).toEqual([{ ids: ['s2', 'nobody', 's1'], authorization: 'Bearer svc' }]);
  });

  it.each(['slow', 'error'] as const)('fails closed when personnel is %s: every chain null', async (m) => {
    mode = m;
    expect(await lookup()(['s1', 's2'], {})).toEqual([null, null]);
  });

  it('fails closed when personnel is unreachable', async () => {
    const down = remoteBodyChains({ url: 'http://127.0.0.1:1/graphql', serviceToken: async () => 'svc', timeoutMs: 200 });
    expect(await down(['s1'], {})).toEqual([null]);
  });
});
