import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpFetcher } from '../src';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

let server: Server;
let url: string;
let handler: Handler;
const sockets = new Set<unknown>();

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, Buffer.concat(chunks).toString('utf8'), res));
  });
  server.keepAliveTimeout = 65_000;
  server.on('connection', (socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('httpFetcher (the gateway’s subgraph calls)', () => {
  it('sends the method, headers and body, and gives back status, headers and the JSON answer', async () => {
    handler = (req, body, res) => {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'x-seen': `${req.method} ${req.headers.authorization} ${req.headers['content-length']}` });
      res.end(JSON.stringify({ echo: JSON.parse(body), name: 'Қарағанды' }));
    };
    const body = JSON.stringify({ query: '{ x }', note: 'Ақмола' });
    const response = await httpFetcher(1000)(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer t' }, body });
    expect(response.ok).toBe(true);
    expect(response.status).toBe(200);
    expect(response.headers.get('Content-Type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('x-seen')).toBe(`POST Bearer t ${Buffer.byteLength(body)}`);
    expect(await response.json()).toEqual({ echo: { query: '{ x }', note: 'Ақмола' }, name: 'Қарағанды' });
  });

  it('gives back a large answer of Cyrillic and Kazakh text intact, sent in many chunks', async () => {
    const segments = Array.from({ length: 4000 }, (_, i) => ({ key: `w2;b;${i}`, stateBody: { name: `${i % 2 ? 'Министерство юстиции' : 'Түркістан облысының әкімдігі'} ${i}` } }));
    const answer = JSON.stringify({ data: { workforce: segments } });
    handler = (_req, _body, res) => {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      // Split inside a multi-byte character on purpose: the chunks are joined as bytes, then decoded.
      const bytes = Buffer.from(answer, 'utf8');
      for (let at = 0; at < bytes.length; at += 7_777) res.write(bytes.subarray(at, at + 7_777));
      res.end();
    };
    const response = await httpFetcher(1000)(url, { method: 'POST', body: '{}' });
    expect(Buffer.byteLength(answer)).toBeGreaterThan(200_000);
    expect(await response.text()).toBe(answer);
  });

  it('keeps the connection for the next call', async () => {
    handler = (_req, _body, res) => res.end('{}');
    const fetcher = httpFetcher(1000);
    const before = sockets.size;
    for (let i = 0; i < 5; i++) await fetcher(url, { method: 'POST', body: '{}' });
    expect(sockets.size - before).toBe(1);
  });

  it('reports a refusal status as not ok, with its body', async () => {
    handler = (_req, _body, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ message: 'bad', extensions: { code: 'BAD_USER_INPUT' } }] }));
    };
    const response = await httpFetcher(1000)(url, { method: 'POST', body: '{}' });
    expect({ ok: response.ok, status: response.status, statusText: response.statusText }).toEqual({ ok: false, status: 400, statusText: 'Bad Request' });
    expect(await response.text()).toContain('BAD_USER_INPUT');
  });

  it('gives up at the deadline when the answer stops half way, with a TimeoutError', async () => {
    handler = (_req, _body, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"data":');
    };
    const started = Date.now();
    const failure = await httpFetcher(200)(url, { method: 'POST', body: '{}' }).catch((err: Error) => err);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).name).toBe('TimeoutError');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('fails with the system error when nothing listens', async () => {
    const idle = createServer();
    await new Promise<void>((resolve) => idle.listen(0, '127.0.0.1', resolve));
    const port = (idle.address() as AddressInfo).port;
    await new Promise((resolve) => idle.close(resolve));
    const failure = await httpFetcher(1000)(`http://127.0.0.1:${port}/graphql`, { method: 'POST', body: '{}' }).catch((err: NodeJS.ErrnoException) => err);
    expect((failure as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
  });

  it('fails when the connection closes before the whole answer', async () => {
    handler = (_req, _body, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"data":');
      setTimeout(() => res.socket?.destroy(), 20);
    };
    await expect(httpFetcher(2000)(url, { method: 'POST', body: '{}' })).rejects.toThrow();
  });
});
