import { GraphQLError } from 'graphql';
import { createSubgraphApp, type Listening } from '../src';

const typeDefs = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  scalar Date
  scalar IIN
  type Query {
    today: Date!
    echoIin(iin: IIN!): IIN!
    fails: String
    refuses: String
  }
`;

const resolvers = {
  Query: {
    today: () => new Date(Date.UTC(2026, 10, 24, 15)),
    echoIin: (_: unknown, { iin }: { iin: string }) => iin,
    fails: () => {
      throw new Error('connection string mongodb://secret@db leaked');
    },
    refuses: () => {
      throw new GraphQLError('not yours', { extensions: { code: 'FORBIDDEN' } });
    },
  },
};

async function start(production: boolean): Promise<Listening> {
  const app = createSubgraphApp({ name: 'probe', typeDefs, resolvers, context: async () => ({}), production });
  return app.listen(0);
}

const post = async (url: string, body: unknown) => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as { data?: Record<string, unknown>; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> } };
};

describe('createSubgraphApp over HTTP', () => {
  let dev: Listening;
  let prod: Listening;
  beforeAll(async () => {
    dev = await start(false);
    prod = await start(true);
  });
  afterAll(async () => {
    await dev.close();
    await prod.close();
  });

  it('answers /health and serves GraphQL at /graphql with the shared scalars', async () => {
    const health = await fetch(new URL('/health', dev.url));
    expect(await health.json()).toEqual({ status: 'ok' });
    const { json } = await post(dev.url, { query: '{ today echoIin(iin: "791028302728") }' });
    expect(json.data).toEqual({ today: '2026-11-24', echoIin: '791028302728' });
  });

  it('marks every answer no-store: answers carry personal data', async () => {
    const res = await fetch(dev.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ today }' }) });
    expect(res.headers.get('cache-control')).toBe('no-store');
    const refused = await fetch(prod.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ nope }' }) });
    expect(refused.headers.get('cache-control')).toBe('no-store');
  });

  it('refuses an invalid IIN with BAD_USER_INPUT', async () => {
    const { json } = await post(dev.url, { query: 'query($i: IIN!) { echoIin(iin: $i) }', variables: { i: '821214240092' } });
    expect(json.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('hides internal messages in production but keeps API errors', async () => {
    const { json } = await post(prod.url, { query: '{ fails refuses }' });
    const messages = json.errors?.map((e) => [e.message, e.extensions?.code]);
    expect(messages).toEqual([
      ['Internal server error', 'INTERNAL_SERVER_ERROR'],
      ['not yours', 'FORBIDDEN'],
    ]);
    expect(JSON.stringify(json)).not.toContain('secret');
  });

  it('refuses bodies that are not JSON or are too large, and unknown paths', async () => {
    const bad = await fetch(dev.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{nope' });
    expect(bad.status).toBe(400);
    const big = await fetch(dev.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: 'x'.repeat(2_000_000) }) }).catch(() => null);
    // The server answers 413 and closes; some clients see the reset before the status.
    if (big) expect(big.status).toBe(413);
    const missing = await fetch(new URL('/nowhere', dev.url));
    expect(missing.status).toBe(404);
  });
});
