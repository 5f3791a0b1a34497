import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  AUTH_DIRECTIVES_SDL,
  createSubgraphApp,
  createTokenVerifier,
  DEV_AUDIENCE,
  DEV_ISSUER,
  enableAuth,
  ensureLocalSigningKey,
  mintToken,
  type AuditWriter,
  type Listening,
  type LocalSigningKey,
  type TokenClaims,
  type TokenVerifier,
} from '../../src';

export interface TestKeys {
  key: LocalSigningKey;
  verifier: TokenVerifier;
  token(claims: TokenClaims, ttlMinutes?: number): Promise<string>;
  cleanup(): Promise<void>;
}

export async function testKeys(): Promise<TestKeys> {
  const dir = await mkdtemp(path.join(tmpdir(), 'auth-test-'));
  const key = await ensureLocalSigningKey(dir);
  const verifier = await createTokenVerifier({ jwks: key.jwks, issuer: DEV_ISSUER, audience: DEV_AUDIENCE, clockToleranceSeconds: 30 });
  return {
    key,
    verifier,
    token: (claims, ttlMinutes) => mintToken(key, claims, { ttlMinutes }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** A toy subgraph marked with the auth directives: two servants in two branches of the body tree. */
export const TOY_SDL = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  ${AUTH_DIRECTIVES_SDL}
  type CivilServant @key(fields: "id") @servantRecord {
    id: ID! @servantRecord(area: "placement")
    iin: String @personal
    lastName: String @personal(minimal: true)
    status: String
    sanctions: [String!] @specialCategory
    learningHours: Int @servantRecord(area: "training")
  }
  type Query {
    civilServant(id: ID!): CivilServant @servantRecord
    civilServants: [CivilServant]! @servantRecord
    headcount: Int!
  }
  type Mutation {
    dismiss(id: ID!): CivilServant @writeAccess(area: "personnel")
    submitFeedback(rating: Int!): Boolean @writeAccess(area: "feedback")
  }
`;

export const SERVANTS: Record<string, { id: string; iin: string; lastName: string; status: string; sanctions: string[]; learningHours: number }> = {
  S1: { id: 'S1', iin: '791028302728', lastName: 'Abenov', status: 'ACTIVE', sanctions: ['REMARK'], learningHours: 40 },
  S2: { id: 'S2', iin: '061211600012', lastName: 'Bekova', status: 'ACTIVE', sanctions: [], learningHours: 8 },
};
/** S1 sits in B2 under B1; S2 in B3, a body of its own. */
export const BODY_CHAINS: Record<string, string[]> = { S1: ['B2', 'B1'], S2: ['B3'] };

export async function startToy(verifier: TokenVerifier, auditWriter?: AuditWriter): Promise<{ listening: Listening; chainLookups: string[][] }> {
  const chainLookups: string[][] = [];
  const app = createSubgraphApp({
    name: 'toy',
    typeDefs: TOY_SDL,
    resolvers: {
      Query: {
        civilServant: (_: unknown, { id }: { id: string }) => SERVANTS[id] ?? null,
        civilServants: () => Object.values(SERVANTS),
        headcount: () => Object.keys(SERVANTS).length,
      },
      Mutation: {
        dismiss: (_: unknown, { id }: { id: string }) => ({ ...SERVANTS[id], status: 'DISMISSED' }),
        submitFeedback: () => true,
      },
    },
    context: async () => ({}),
  });
  enableAuth(app, {
    verifier,
    auditWriter,
    bodyChains: async (ids) => {
      chainLookups.push([...ids]);
      return ids.map((id) => BODY_CHAINS[id] ?? null);
    },
    writeTargets: { dismiss: (args) => ({ servantId: String(args.id), bodyChain: BODY_CHAINS[String(args.id)] ?? null }) },
  });
  return { listening: await app.listen(0), chainLookups };
}

export interface GraphQLAnswer {
  status: number;
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: { code?: string } }>;
}

export async function post(url: string, query: string, headers: Record<string, string> = {}, variables?: Record<string, unknown>): Promise<GraphQLAnswer> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
  return { status: res.status, ...((await res.json()) as Omit<GraphQLAnswer, 'status'>) };
}

export const bearer = (token: string, purpose?: string): Record<string, string> => ({
  authorization: `Bearer ${token}`,
  ...(purpose ? { 'x-purpose': purpose } : {}),
});
