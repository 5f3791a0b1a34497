import { startFakeSystem, type FakeSystem } from './fakes';

const THING = 'query Thing($id: ID!) { thing(id: $id) { id name score } }';

describe('the gateway in development mode', () => {
  let sys: FakeSystem;
  beforeAll(async () => {
    sys = await startFakeSystem({ timeoutMs: 300 });
  });
  afterAll(async () => {
    await sys?.stop();
  });

  it('joins the subgraphs', async () => {
    const { status, body } = await sys.post({ query: THING, variables: { id: 'abc' } });
    expect(status).toBe(200);
    expect(body).toEqual({ data: { thing: { id: 'abc', name: 'thing abc', score: 3 } } });
  });

  it('relays a subgraph error with its code and names the subgraph', async () => {
    const { body } = await sys.post({ query: THING, variables: { id: 'missing' } });
    expect(body.data).toEqual({ thing: null });
    expect(body.errors?.[0]).toMatchObject({ message: 'no thing with id missing', path: ['thing'], extensions: { code: 'NOT_FOUND', subgraph: 'alpha' } });
  });

  it('answers without a slow subgraph after the timeout, naming it', async () => {
    sys.beta.delayMs = 2000;
    try {
      const started = Date.now();
      const { status, body } = await sys.post({ query: THING, variables: { id: 'abc' } });
      expect(Date.now() - started).toBeLessThan(1500);
      expect(status).toBe(200);
      expect(body.data).toEqual({ thing: { id: 'abc', name: 'thing abc', score: null } });
      expect(body.errors).toEqual([
        { message: expect.stringContaining('beta'), extensions: { code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'beta' } },
      ]);
    } finally {
      sys.beta.delayMs = 0;
    }
  });

  it('answers without a dead subgraph, hides the cause, and recovers when it is back', async () => {
    await sys.stopBeta();
    try {
      const { body } = await sys.post({ query: THING, variables: { id: 'abc' } });
      expect(body.data).toEqual({ thing: { id: 'abc', name: 'thing abc', score: null } });
      expect(body.errors).toHaveLength(1);
      expect(body.errors![0].extensions).toEqual({ code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'beta' });
      expect(JSON.stringify(body)).not.toMatch(/ECONNREFUSED|fetch failed|\.ts:\d+/);
    } finally {
      await sys.startBeta();
    }
    const { body } = await sys.post({ query: THING, variables: { id: 'abc' } });
    expect(body).toEqual({ data: { thing: { id: 'abc', name: 'thing abc', score: 3 } } });
  });

  it('refuses an invalid IIN or Date at the gateway with BAD_USER_INPUT and no data', async () => {
    const iin = await sys.post({ query: 'query($iin: IIN!) { thingByIin(iin: $iin) { id } }', variables: { iin: '821214240092' } });
    expect(iin.status).toBe(400);
    expect(iin.body.data).toBeUndefined();
    expect(iin.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const day = await sys.post({ query: 'query($d: Date!) { thingsSince(day: $d) { id } }', variables: { d: '2026-02-30' } });
    expect(day.body.data).toBeUndefined();
    expect(day.body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const literal = await sys.post({ query: '{ thingByIin(iin: "123") { id } }' });
    // Written into the query or sent as a variable, an invalid IIN is the same BAD_USER_INPUT.
    expect(literal.status).toBe(400);
    expect(literal.body.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(literal.body.data ?? null).toBeNull();
    const ok = await sys.post({ query: 'query($d: Date!) { thingsSince(day: $d) { id } }', variables: { d: '2026-02-28' } });
    expect(ok.body).toEqual({ data: { thingsSince: [{ id: '1' }] } });
  });

  it('shows internal messages in development and allows introspection', async () => {
    const { body } = await sys.post({ query: '{ broken }' });
    expect(body.errors?.[0].message).toContain('secret');
    const intro = await sys.post({ query: '{ __schema { queryType { name } } }' });
    expect(intro.body.data).toEqual({ __schema: { queryType: { name: 'Query' } } });
  });
});

describe('/health and /ready', () => {
  let sys: FakeSystem;
  beforeAll(async () => {
    sys = await startFakeSystem({ timeoutMs: 300 });
  });
  afterAll(async () => {
    await sys?.stop();
  });

  it('/health answers while the process is alive', async () => {
    const res = await fetch(`${sys.baseUrl}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('/ready is 200 with every subgraph up and 503 naming the one that is down', async () => {
    const up = await fetch(`${sys.baseUrl}/ready`);
    expect(up.status).toBe(200);
    expect(await up.json()).toEqual({ status: 'ready', supergraph: 'loaded', subgraphs: { alpha: { status: 'up' }, beta: { status: 'up' } } });
    await sys.stopBeta();
    try {
      const down = await fetch(`${sys.baseUrl}/ready`);
      expect(down.status).toBe(503);
      expect(await down.json()).toMatchObject({
        status: 'not ready',
        supergraph: 'loaded',
        subgraphs: { alpha: { status: 'up' }, beta: { status: 'down', reason: expect.any(String) } },
      });
    } finally {
      await sys.startBeta();
    }
  });
});
