import { randomBytes } from 'node:crypto';
import type { Connection } from 'mongoose';
import { Types } from 'mongoose';
import { startEmbeddedMongo } from '@civil-service/embedded-mongo';
import { attachCommandCounter, connectDatabase, registerDirectoryModels, testAuth, type GraphQLResponse, type TokenClaims } from '@civil-service/shared';
import { createTrainingSubgraph } from '../src';
import type { LearningRecordDoc, TrainingProgramDoc } from '../src/models';

export const TODAY = new Date(Date.UTC(2026, 10, 24));
export const d = (iso: string) => new Date(`${iso}T00:00:00Z`);

export type { GraphQLResponse };

export interface Harness {
  db: Connection;
  app: ReturnType<typeof createTrainingSubgraph>;
  url: string;
  counter: ReturnType<typeof attachCommandCounter>;
  /** POSTs to the subgraph's /graphql the way the gateway does. */
  query<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
  /** The same, with a token of the given claims (analyst, hr of a body...). */
  queryAs<T = Record<string, unknown>>(claims: TokenClaims, query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
  stop(): Promise<void>;
}

/** The training subgraph alone over HTTP, against a fresh embedded database, with "today" pinned. */
export async function startHarness(config: { minCell?: number } = {}): Promise<Harness> {
  const mongo = await startEmbeddedMongo({ port: 0 });
  const db = await connectDatabase({ uri: mongo.uri, dbName: `training_test_${randomBytes(4).toString('hex')}` });
  const counter = attachCommandCounter(db);
  const auth = await testAuth({ role: 'academy' });
  // hr's scope as personnel would answer it, here read from the directory copy the tests fill.
  const { Directory } = registerDirectoryModels(db);
  const bodyChains = async (ids: readonly string[]) => {
    const found = new Map((await Directory.find({ _id: { $in: [...ids] } }, { bodyChain: 1 }).lean().exec()).map((e) => [e._id, e.bodyChain]));
    return ids.map((id) => found.get(id) ?? null);
  };
  const app = createTrainingSubgraph({ db, config: { now: () => TODAY, ...config }, auth: { verifier: auth.verifier, bodyChains } });
  await app.models.TrainingProgram.init();
  await app.models.LearningRecord.init();
  await app.models.Directory.init();
  const server = await app.listen(0, '127.0.0.1');
  const post = async (headers: Record<string, string>, query: string, variables?: Record<string, unknown>) => {
    const res = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
    return (await res.json()) as GraphQLResponse<never>;
  };
  return {
    db,
    app,
    url: server.url,
    counter,
    query: (query, variables) => post(auth.headersFor(query), query, variables),
    async queryAs(claims, query, variables) {
      return post(await auth.headersAs(claims), query, variables);
    },
    async stop() {
      await server.close();
      await auth.dispose();
      await db.close();
      await mongo.stop();
    },
  };
}

export const servantId = () => new Types.ObjectId().toHexString();

export function program(over: Partial<TrainingProgramDoc> = {}): TrainingProgramDoc {
  return {
    _id: new Types.ObjectId(),
    title: 'Ethics of the civil servant',
    type: 'ADVANCED_TRAINING',
    form: 'DISTANCE',
    provider: 'Academy of Public Administration under the President of the Republic of Kazakhstan',
    academicHours: 16,
    topics: ['ethics'],
    ...over,
  };
}

export function record(servant: string, programId: Types.ObjectId, over: Partial<LearningRecordDoc> = {}): LearningRecordDoc {
  return {
    _id: new Types.ObjectId(),
    servantId: servant,
    programId,
    status: 'COMPLETED',
    startDate: d('2025-03-03'),
    endDate: d('2025-03-07'),
    hours: 16,
    certificateNo: 'APA-2025-000001',
    ...over,
  };
}
