import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { createLogger, createSubgraphApp, notFound, type Listening } from '@civil-service/shared';
import { createGateway } from '../src';

/**
 * Two tiny subgraphs that share an entity, for testing the gateway alone: `alpha` owns `Thing`
 * and its name, `beta` adds a score, and can be told to be slow or to fail.
 */
const ALPHA_SDL = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  scalar IIN
  scalar Date
  type Query {
    thing(id: ID!): Thing
    thingByIin(iin: IIN!): Thing
    thingsSince(day: Date!): [Thing!]!
    broken: String
  }
  type Thing @key(fields: "id") { id: ID! name: String! }
`;

const BETA_SDL = `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  type Thing @key(fields: "id") { id: ID! score: Int }
`;

export const silent = createLogger('test', 'silent');

export interface BetaBehaviour {
  delayMs: number;
}

export function composeFakes(): string {
  const result = composeServices([
    { name: 'alpha', url: 'http://alpha/graphql', typeDefs: parse(ALPHA_SDL) },
    { name: 'beta', url: 'http://beta/graphql', typeDefs: parse(BETA_SDL) },
  ]);
  if (result.errors) throw new Error(result.errors.map((e) => e.message).join('\n'));
  return result.supergraphSdl;
}

function alpha(production: boolean) {
  return createSubgraphApp({
    name: 'alpha',
    typeDefs: ALPHA_SDL,
    production,
    logger: silent,
    context: async () => ({}),
    resolvers: {
      Query: {
        thing: (_: unknown, { id }: { id: string }) => {
          if (id === 'missing') throw notFound('no thing with id missing');
          return { id, name: `thing ${id}` };
        },
        thingByIin: (_: unknown, { iin }: { iin: string }) => ({ id: iin, name: 'by iin' }),
        thingsSince: () => [{ id: '1', name: 'thing 1' }],
        broken: () => {
          throw new Error('secret database password in this message');
        },
      },
      Thing: { __resolveReference: (ref: { id: string }) => ({ id: ref.id, name: `thing ${ref.id}` }) },
    },
  });
}

function beta(behaviour: BetaBehaviour) {
  return createSubgraphApp({
    name: 'beta',
    typeDefs: BETA_SDL,
    production: false,
    logger: silent,
    context: async () => ({}),
    resolvers: {
      Thing: {
        __resolveReference: async (ref: { id: string }) => {
          if (behaviour.delayMs > 0) await new Promise((r) => setTimeout(r, behaviour.delayMs).unref());
          return { id: ref.id, score: ref.id.length };
        },
      },
    },
  });
}

export interface FakeSystem {
  gatewayUrl: string;
  /** The gateway's base URL, for /health and /ready. */
  baseUrl: string;
  beta: BetaBehaviour;
  post(body: unknown, headers?: Record<string, string>): Promise<{ status: number; body: GraphQLBody }>;
  stopBeta(): Promise<void>;
  startBeta(): Promise<void>;
  stop(): Promise<void>;
}

export interface GraphQLBody {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; path?: unknown[]; extensions?: Record<string, unknown> }>;
}

export async function startFakeSystem({ production = false, timeoutMs = 2000 } = {}): Promise<FakeSystem> {
  const behaviour: BetaBehaviour = { delayMs: 0 };
  const alphaServer = await alpha(production).listen(0);
  let betaServer: Listening | undefined = await beta(behaviour).listen(0);
  const betaPort = betaServer.port;
  const gateway = createGateway({
    supergraphSdl: composeFakes(),
    subgraphUrls: { alpha: alphaServer.url, beta: betaServer.url },
    timeoutMs,
    production,
    logger: silent,
  });
  const server = await gateway.listen(0);
  return {
    gatewayUrl: server.url,
    baseUrl: server.url.replace(/\/graphql$/, ''),
    beta: behaviour,
    async post(body, headers = {}) {
      const res = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
      return { status: res.status, body: (await res.json()) as GraphQLBody };
    },
    async stopBeta() {
      await betaServer?.close();
      betaServer = undefined;
    },
    async startBeta() {
      betaServer = await beta(behaviour).listen(betaPort);
    },
    async stop() {
      await server.close();
      await alphaServer.close();
      await betaServer?.close();
    },
  };
}
