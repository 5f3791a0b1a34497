/**
 * The gateway's abuse limits end to end: the stack's own gateway with the default limits, and
 * further gateways over the same subgraphs with small limits, a tight rate limit, production mode
 * and the safelist. For each refusal, no subgraph is called: the gateway's calls to subgraphs go
 * through node:http's `request`, which is watched.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createGateway, parseSafelist, Safelist, sha256, type GatewayOptions, type SafelistManifest } from '@civil-service/gateway';
import { createLogger, type GraphQLResponse, type Listening } from '@civil-service/shared';
import { contractDocument, DEFAULT_CLAIMS, REPO_ROOT, startStack, type Stack } from './helpers/stack';

let stack: Stack;
let servantId: string;
/** The stack's default caller: monitoring, with a purpose. */
let token: string;
/** The gateway calls subgraphs through node:http (gateway/src/http-fetcher.ts): each call is seen here. */
let requestSpy: jest.SpiedFunction<typeof http.request>;
const extraGateways: Listening[] = [];

/** Another gateway over the stack's subgraphs, verifying tokens with the stack's key. */
async function gatewayWith(options: Partial<GatewayOptions>): Promise<string> {
  const gateway = createGateway({
    supergraphSdl: readFileSync(path.join(REPO_ROOT, 'schema', 'supergraph.graphql'), 'utf8'),
    subgraphUrls: stack.subgraphUrls,
    timeoutMs: 5000,
    production: false,
    logger: createLogger('gateway'),
    verifier: stack.auth.verifier,
    ...options,
  });
  const server = await gateway.listen(0, '127.0.0.1');
  extraGateways.push(server);
  return server.url;
}

beforeAll(async () => {
  stack = await startStack({ servants: 60, seed: 11 });
  servantId = String((await stack.dbs.personnel.db!.collection('civil_servants').findOne({ status: 'ACTIVE' }))!._id);
  token = await stack.token(DEFAULT_CLAIMS);
  requestSpy = jest.spyOn(http, 'request');
});
afterAll(async () => {
  requestSpy?.mockRestore();
  for (const server of extraGateways) await server.close();
  await stack?.stop();
});

/**
 * Every request of this file carries an X-Request-Id, which the gateway forwards to the subgraphs:
 * a refused request's id must appear in no subgraph call. (Subgraphs also call each other in the
 * background, without it.)
 */
let requestId = 'abuse-limits';
let sequence = 0;
const tag = () => ({ 'x-request-id': requestId });

function subgraphCallsFor(id: string): number {
  const urls = Object.values(stack.subgraphUrls);
  return requestSpy.mock.calls.filter(([url, options]) => {
    const headers = typeof options === 'object' && options !== null && 'headers' in options ? (options.headers as Record<string, unknown> | undefined) : undefined;
    return urls.some((u) => String(url).startsWith(u)) && headers?.['x-request-id'] === id;
  }).length;
}

/** Runs `send` under a request id of its own; returns its result and the subgraph calls made for it. */
async function tagged<T>(send: () => Promise<T>): Promise<{ result: T; calls: number }> {
  requestId = `abuse-limits-${++sequence}`;
  try {
    const result = await send();
    return { result, calls: subgraphCallsFor(requestId) };
  } finally {
    requestId = 'abuse-limits';
  }
}

async function withoutSubgraphs<T>(send: () => Promise<T>): Promise<T> {
  const { result, calls } = await tagged(send);
  expect(calls).toBe(0);
  return result;
}

interface Answer {
  status: number;
  headers: Headers;
  body: GraphQLResponse;
}

async function send(url: string, body: string, headers: Record<string, string> = {}, method = 'POST'): Promise<Answer> {
  const res = await fetch(url, { method, headers: { ...tag(), ...headers }, ...(method === 'POST' ? { body } : {}) });
  return { status: res.status, headers: res.headers, body: (await res.json()) as GraphQLResponse };
}

const json = { 'content-type': 'application/json' };
const codeOf = (answer: { body: GraphQLResponse }) => answer.body.errors?.[0]?.extensions?.code;

describe('query shape limits (a gateway with small ones)', () => {
  let url: string;
  beforeAll(async () => {
    url = await gatewayWith({ limits: { maxDepth: 5, maxAliases: 2, maxCost: 151, maxTokens: 60 } });
  });
  const ask = (query: string, variables?: Record<string, unknown>) => stack.post(url, { query, variables }, { headers: tag() });

  it('a served request is seen reaching the subgraphs, so the check of refused ones can fail', async () => {
    const { result, calls } = await tagged(() => ask('{ stateBodies { id } }'));
    expect(result.status).toBe(200);
    expect(calls).toBeGreaterThan(0);
  });

  it('depth: 5 passes, 6 is MAX_DEPTH_EXCEEDED (400)', async () => {
    const under = await ask('{ stateBodies { parent { parent { parent { id } } } } }');
    expect(under.status).toBe(200);
    expect(under.body.errors).toBeUndefined();
    const over = await withoutSubgraphs(() => ask('{ stateBodies { parent { parent { parent { parent { id } } } } } }'));
    expect(over.status).toBe(400);
    expect(over.body.data).toBeUndefined();
    expect(over.body.errors).toEqual([{ message: 'Query depth limit of 5 exceeded, found 6.', extensions: expect.objectContaining({ code: 'MAX_DEPTH_EXCEEDED', limit: 5 }) }]);
  });

  it('aliases: 2 pass, 3 are MAX_ALIASES_EXCEEDED (400)', async () => {
    const under = await ask('{ a: stateBodies { id } b: stateBodies { id } }');
    expect([under.status, under.body.errors]).toEqual([200, undefined]);
    const over = await withoutSubgraphs(() => ask('{ a: stateBodies { id } b: stateBodies { id } c: stateBodies { id } }'));
    expect([over.status, codeOf(over), over.body.errors?.[0]?.message]).toEqual([400, 'MAX_ALIASES_EXCEEDED', 'Aliases limit of 2 exceeded, found 3.']);
  });

  it('cost: counted by the first variable; 1 + 3 × 50 = 151 passes, 1 + 3 × 51 is MAX_COST_EXCEEDED (400)', async () => {
    const query = 'query Page($first: Int) { civilServants(first: $first) { edges { node { id currentAssignment { startDate } } } } }';
    const under = await ask(query, { first: 50 });
    expect([under.status, under.body.errors]).toEqual([200, undefined]);
    expect((under.body.data as { civilServants: { edges: unknown[] } }).civilServants.edges).toHaveLength(50);
    const over = await withoutSubgraphs(() => ask(query, { first: 51 }));
    expect([over.status, codeOf(over)]).toEqual([400, 'MAX_COST_EXCEEDED']);
    expect(over.body.errors?.[0]?.extensions).toMatchObject({ limit: 151, cost: 154 });
    expect(over.body.errors?.[0]?.message).toMatch(/^Query cost limit of 151 exceeded: operation Page costs 154/);
  });

  it('tokens: 60 pass, 61 are MAX_TOKENS_EXCEEDED (400)', async () => {
    // `{ stateBodies { ` and ` } }` are 5 tokens; each `id` one more.
    const ids = (n: number) => `{ stateBodies { ${'id '.repeat(n)}} }`;
    const under = await ask(ids(55));
    expect([under.status, under.body.errors]).toEqual([200, undefined]);
    const over = await withoutSubgraphs(() => ask(ids(56)));
    expect(over.status).toBe(400);
    expect(over.body.errors).toEqual([{ message: expect.stringMatching(/^Query token limit of 60 exceeded/), extensions: expect.objectContaining({ code: 'MAX_TOKENS_EXCEEDED', limit: 60 }) }]);
  });

  it('a real syntax error under the token limit stays GRAPHQL_PARSE_FAILED', async () => {
    const answer = await ask('{ stateBodies { id }');
    expect([answer.status, codeOf(answer)]).toEqual([400, 'GRAPHQL_PARSE_FAILED']);
  });
});

describe('the default limits (the stack’s gateway)', () => {
  it.each(['profile', 'directory', 'writes', 'analytics'] as const)('no operation of %s.graphql is refused by a limit, with first = 100', async (file) => {
    const text = contractDocument(file);
    const names = [...text.matchAll(/^(?:query|mutation) (\w+)/gm)].map((m) => m[1]);
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) {
      // Only `first` is given: an operation with required variables stops at their coercion,
      // after the limits were checked, so no write happens.
      const { body } = await stack.post(stack.gatewayUrl, { query: text, operationName: name, variables: { first: 100 } });
      const codes = (body.errors ?? []).map((e) => String(e.extensions?.code));
      expect(codes.filter((c) => /^(MAX_|RATE_LIMITED|BATCHING_NOT_ALLOWED)/.test(c))).toEqual([]);
    }
  });

  it('a batch (a JSON array) is BATCHING_NOT_ALLOWED (400); batching stays off', async () => {
    const one = JSON.stringify({ query: '{ stateBodies { id } }' });
    const batch = await withoutSubgraphs(() => send(stack.gatewayUrl, `[${one},${one}]`, { ...json, authorization: `Bearer ${token}` }));
    expect(batch.status).toBe(400);
    expect(batch.body.errors).toEqual([{ message: 'Batched requests (a JSON array of operations) are not accepted: send one operation per request', extensions: expect.objectContaining({ code: 'BATCHING_NOT_ALLOWED', limit: 1 }) }]);
  });

  const padded = (bytes: number) => JSON.stringify({ query: '{ __typename }', variables: { pad: 'x'.repeat(bytes) } });

  it('a body under 1 MB is served', async () => {
    const answer = await send(stack.gatewayUrl, padded(1_000_000), { ...json, authorization: `Bearer ${await stack.token({ role: 'analyst' })}` });
    expect([answer.status, answer.body]).toEqual([200, { data: { __typename: 'Query' } }]);
  });

  // The server reads and drops the rest of an oversized body so that the client receives the 413
  // (destroying the socket early gave it a connection reset instead).
  it('a body over 1 MB is refused with 413 PAYLOAD_TOO_LARGE', async () => {
    const answer = await withoutSubgraphs(() => send(stack.gatewayUrl, padded(1_100_000), json));
    expect(answer.status).toBe(413);
    expect(codeOf(answer)).toBe('PAYLOAD_TOO_LARGE');
  });
});

describe('CSRF prevention', () => {
  const get = (headers: Record<string, string>) => send(`${stack.gatewayUrl}?query=${encodeURIComponent('{ stateBodies { id } }')}`, '', headers, 'GET');

  it('refuses a GET without a preflight header, and a text/plain POST (400 BAD_REQUEST)', async () => {
    const auth = { authorization: `Bearer ${token}` };
    for (const answer of [await withoutSubgraphs(() => get(auth)), await withoutSubgraphs(() => send(stack.gatewayUrl, JSON.stringify({ query: '{ stateBodies { id } }' }), { ...auth, 'content-type': 'text/plain' }))]) {
      expect(answer.status).toBe(400);
      expect(codeOf(answer)).toBe('BAD_REQUEST');
      expect(answer.body.errors?.[0]?.message).toMatch(/Cross-Site Request Forgery/);
    }
  });

  it('serves a GET that carries apollo-require-preflight', async () => {
    const answer = await get({ authorization: `Bearer ${token}`, 'apollo-require-preflight': 'true' });
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
  });
});

describe('production mode', () => {
  it('refuses introspection and serves no landing page', async () => {
    const url = await gatewayWith({ production: true });
    const answer = await stack.post(url, { query: '{ __schema { queryType { name } } }' });
    expect(answer.status).toBe(400);
    expect(answer.body.errors?.[0]?.message).toMatch(/introspection/i);
    const page = await fetch(url, { headers: { accept: 'text/html' } });
    expect(await page.text()).not.toMatch(/<html|sandbox|embeddable/i);
  });
});

describe('rate limit (3 a minute)', () => {
  let url: string;
  beforeAll(async () => {
    url = await gatewayWith({ limits: { rateLimitPerMinute: 3 } });
  });
  const body = JSON.stringify({ query: '{ stateBodies { id } }' });

  it('allows 3 requests per token, then answers 429 RATE_LIMITED with Retry-After; another token has its own', async () => {
    const a = { ...json, authorization: `Bearer ${await stack.token({ role: 'analyst', sub: 'rate-a' })}` };
    for (let i = 0; i < 3; i++) expect((await send(url, body, a)).status).toBe(200);
    const limited = await withoutSubgraphs(() => send(url, body, a));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(limited.body.errors).toEqual([
      { message: expect.stringMatching(/^Rate limit of 3 requests per minute reached for this token; retry in \d+ s$/), extensions: expect.objectContaining({ code: 'RATE_LIMITED', limit: 3 }) },
    ]);
    const b = { ...json, authorization: `Bearer ${await stack.token({ role: 'analyst', sub: 'rate-b' })}` };
    expect((await send(url, body, b)).status).toBe(200);
  });

  it('counts requests without a valid token by address, whatever subject a forged token claims', async () => {
    for (let i = 0; i < 3; i++) expect((await send(url, body, json)).status).toBe(401);
    const forged = `${Buffer.from('{"alg":"ES256"}').toString('base64url')}.${Buffer.from('{"sub":"fresh","role":"analyst"}').toString('base64url')}.c2ln`;
    for (const headers of [json, { ...json, authorization: `Bearer ${forged}` }]) {
      const limited = await withoutSubgraphs(() => send(url, body, headers));
      expect([limited.status, codeOf(limited)]).toEqual([429, 'RATE_LIMITED']);
      expect(limited.body.errors?.[0]?.message).toMatch(/for this address \(no valid token\)/);
    }
  });
});

describe('safelist mode (gateway/safelist.json)', () => {
  let url: string;
  let manifest: SafelistManifest;
  const BY_ID = 'CivilServantById';
  beforeAll(async () => {
    manifest = parseSafelist(readFileSync(path.join(REPO_ROOT, 'gateway', 'safelist.json'), 'utf8'));
    url = await gatewayWith({ safelist: new Safelist(manifest) });
  });
  const entry = (name: string) => manifest.operations.find((e) => e.name === name)!;

  it('serves a contract file as written, one operation alone, and either by hash alone', async () => {
    const variables = { id: servantId };
    const asSent = [
      { query: contractDocument('profile'), operationName: BY_ID, variables },
      { query: entry(BY_ID).body, variables },
      { extensions: { persistedQuery: { version: 1, sha256Hash: entry('profile.graphql').id } }, operationName: BY_ID, variables },
      { extensions: { persistedQuery: { version: 1, sha256Hash: entry(BY_ID).id } }, variables },
    ];
    for (const request of asSent) {
      const { status, body } = await stack.post<{ civilServant: { id: string } }>(url, request, { headers: tag() });
      expect([status, body.errors]).toEqual([200, undefined]);
      expect(body.data!.civilServant.id).toBe(servantId);
    }
  });

  it('refuses any other document with OPERATION_NOT_IN_SAFELIST (400), and does not learn it from a persisted-query request', async () => {
    const query = '{ stateBodies { id } }';
    const refused = await withoutSubgraphs(() => stack.post(url, { query }, { headers: tag() }));
    expect(refused.status).toBe(400);
    expect(codeOf(refused)).toBe('OPERATION_NOT_IN_SAFELIST');
    expect(refused.body.errors?.[0]?.message).toMatch(/accepts only the operations of its safelist/);
    // The contract's own text, changed by one space, is another document.
    expect(codeOf(await stack.post(url, { query: `${contractDocument('profile')} `, operationName: BY_ID, variables: { id: servantId } }))).toBe('OPERATION_NOT_IN_SAFELIST');

    const hash = sha256(query);
    expect(codeOf(await stack.post(url, { query, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }))).toBe('OPERATION_NOT_IN_SAFELIST');
    const byHash = await withoutSubgraphs(() => stack.post(url, { extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }, { headers: tag() }));
    expect(codeOf(byHash)).toBe('PERSISTED_QUERY_NOT_FOUND');
  });
});
