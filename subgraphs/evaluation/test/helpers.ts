import type { Connection } from 'mongoose';
import { Types } from 'mongoose';
import { attachCommandCounter, connectDatabase, testAuth, type GraphQLResponse } from '@civil-service/shared';
import { startEmbeddedMongo } from '@civil-service/embedded-mongo';
import { createEvaluationSubgraph } from '../src';

export const TEST_BODY = 'test-body';

export type { GraphQLResponse };

export interface Harness {
  db: Connection;
  subgraph: ReturnType<typeof createEvaluationSubgraph>;
  counter: ReturnType<typeof attachCommandCounter>;
  gql<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
  close(): Promise<void>;
}

/** A fresh embedded database, the evaluation subgraph on a random port and a command counter. */
export async function startHarness(now: Date): Promise<Harness> {
  const mongo = await startEmbeddedMongo({ port: 0 });
  const db = await connectDatabase({ uri: mongo.uri, dbName: `evaluation_test_${new Types.ObjectId().toHexString()}` });
  const counter = attachCommandCounter(db);
  // hr writes evaluations for servants of its body; here every servant is in one test body.
  const auth = await testAuth({ role: 'hr', stateBody: TEST_BODY, purpose: 'subgraph test' });
  const bodyChains = async (ids: readonly string[]) => ids.map(() => [TEST_BODY]);
  const subgraph = createEvaluationSubgraph({ db, config: { now: () => now }, auth: { verifier: auth.verifier, bodyChains } });
  await Promise.all(Object.values(subgraph.models).map((m) => m.init()));
  const server = await subgraph.listen(0, '127.0.0.1');
  const url = new URL('/graphql', server.url).toString();
  return {
    db,
    subgraph,
    counter,
    async gql(query, variables) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...auth.headersFor(query) },
        body: JSON.stringify({ query, variables }),
      });
      return (await res.json()) as GraphQLResponse<never>;
    },
    async close() {
      await server.close();
      await auth.dispose();
      await db.close();
      await mongo.stop();
    },
  };
}

export const newId = () => new Types.ObjectId().toHexString();
