import type { Connection } from 'mongoose';
import { Types } from 'mongoose';
import { attachCommandCounter, connectDatabase, testAuth, type GraphQLResponse, type TokenClaims } from '@civil-service/shared';
import { startEmbeddedMongo } from '@civil-service/embedded-mongo';
import { createEvaluationSubgraph } from '../src';

export const TEST_BODY = 'test-body';

export type { GraphQLResponse };

export interface Harness {
  db: Connection;
  subgraph: ReturnType<typeof createEvaluationSubgraph>;
  counter: ReturnType<typeof attachCommandCounter>;
  gql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
  /** The same, as a caller with other claims (an analyst, an hr officer of another body). */
  gqlAs<T = Record<string, unknown>>(claims: TokenClaims, query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
  close(): Promise<void>;
}

/** A fresh embedded database, the evaluation subgraph on a random port and a command counter; `now` may be a clock a test moves. */
export async function startHarness(now: Date | (() => Date)): Promise<Harness> {
  const mongo = await startEmbeddedMongo({ port: 0 });
  const db = await connectDatabase({ uri: mongo.uri, dbName: `evaluation_test_${new Types.ObjectId().toHexString()}` });
  const counter = attachCommandCounter(db);
  // hr writes evaluations for servants of its body; here every servant is under one test body,
  // below the bodies its directory entry names (what personnel would answer), if it has one.
  const auth = await testAuth({ role: 'hr', stateBody: TEST_BODY, purpose: 'subgraph test' });
  const bodyChains = async (ids: readonly string[]) => {
    const entries = await subgraph.models.Directory.find({ _id: { $in: ids.map((id) => id.toLowerCase()) } }, { bodyChain: 1 }).lean().exec();
    const chains = new Map(entries.map((e) => [e._id, e.bodyChain]));
    return ids.map((id) => [...(chains.get(id.toLowerCase()) ?? []), TEST_BODY]);
  };
  const subgraph = createEvaluationSubgraph({ db, config: { now: typeof now === 'function' ? now : () => now }, auth: { verifier: auth.verifier, bodyChains } });
  await Promise.all(Object.values(subgraph.models).map((m) => m.init()));
  const server = await subgraph.listen(0, '127.0.0.1');
  const url = new URL('/graphql', server.url).toString();
  const post = async (headers: Record<string, string>, query: string, variables?: Record<string, unknown>) => {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
    return (await res.json()) as GraphQLResponse<never>;
  };
  return {
    db,
    subgraph,
    counter,
    gql: (query, variables) => post(auth.headersFor(query), query, variables),
    gqlAs: async (claims, query, variables) => post(await auth.headersAs(claims), query, variables),
    async close() {
      await server.close();
      await auth.dispose();
      await db.close();
      await mongo.stop();
    },
  };
}

export const newId = () => new Types.ObjectId().toHexString();
