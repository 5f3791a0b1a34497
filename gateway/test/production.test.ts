import { startFakeSystem, type FakeSystem } from './fakes';

describe('the gateway in production', () => {
  let sys: FakeSystem;
  beforeAll(async () => {
    sys = await startFakeSystem({ production: true, timeoutMs: 300 });
  });
  afterAll(async () => {
    await sys?.stop();
  });

  it('hides an internal error’s message and stack', async () => {
    const { body } = await sys.post({ query: '{ broken }' });
    expect(body.data).toEqual({ broken: null });
    expect(body.errors).toEqual([{ message: 'Internal server error', path: ['broken'], extensions: { code: 'INTERNAL_SERVER_ERROR' } }]);
    expect(JSON.stringify(body)).not.toMatch(/secret|stacktrace/);
  });

  it('keeps the message and code of the API’s own errors, without internals', async () => {
    const { body } = await sys.post({ query: 'query($id: ID!) { thing(id: $id) { id } }', variables: { id: 'missing' } });
    expect(body.errors?.[0]).toMatchObject({ message: 'no thing with id missing', extensions: { code: 'NOT_FOUND' } });
    expect(body.errors?.[0].extensions).not.toHaveProperty('stacktrace');
  });

  it('names an unavailable subgraph without any detail of the failure', async () => {
    await sys.stopBeta();
    try {
      const { body } = await sys.post({ query: '{ thing(id: "x") { name score } }' });
      expect(body.data).toEqual({ thing: { name: 'thing x', score: null } });
      expect(body.errors).toEqual([{ message: expect.stringContaining('beta'), extensions: { code: 'SUBGRAPH_UNAVAILABLE', subgraph: 'beta' } }]);
      const ready = await fetch(`${sys.baseUrl}/ready`);
      expect(await ready.json()).toEqual({ status: 'not ready', supergraph: 'loaded', subgraphs: { alpha: { status: 'up' }, beta: { status: 'down' } } });
    } finally {
      await sys.startBeta();
    }
  });

  it('refuses introspection', async () => {
    const { body } = await sys.post({ query: '{ __schema { queryType { name } } }' });
    expect(body.data).toBeUndefined();
    expect(body.errors?.[0].message).toMatch(/introspection/i);
  });

  it('refuses a GET without a CSRF preflight header, keeping Apollo’s message', async () => {
    const res = await fetch(`${sys.gatewayUrl}?query=${encodeURIComponent('{ __typename }')}`);
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: Array<{ message: string; extensions: Record<string, unknown> }> };
    expect(body.errors[0].message).toMatch(/Cross-Site Request Forgery/);
    expect(body.errors[0].extensions).toEqual({ code: 'BAD_REQUEST' });
  });

  it('refuses a batch with BATCHING_NOT_ALLOWED and its message', async () => {
    const { status, body } = await sys.post([{ query: '{ __typename }' }, { query: '{ __typename }' }]);
    expect(status).toBe(400);
    expect(body.errors).toEqual([{ message: expect.stringMatching(/one operation per request/), extensions: { code: 'BATCHING_NOT_ALLOWED', limit: 1 } }]);
  });

  it('serves no landing page', async () => {
    const res = await fetch(sys.gatewayUrl, { headers: { accept: 'text/html' } });
    const text = await res.text();
    expect(text).not.toMatch(/<html|apollo sandbox|embeddable/i);
  });
});
