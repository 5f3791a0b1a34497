import { randomBytes } from 'node:crypto';
import type { Connection } from 'mongoose';
import { Types } from 'mongoose';
import { startEmbeddedMongo, type EmbeddedMongo } from '@civil-service/embedded-mongo';
import { attachCommandCounter, connectDatabase, makeIIN, testAuth, type TokenClaims, type GraphQLResponse } from '@civil-service/shared';
import { createPersonnelSubgraph } from '../src';
import type { PersonnelModels } from '../src/models';

export const TODAY = new Date(Date.UTC(2026, 10, 24));
export const d = (iso: string) => new Date(`${iso}T00:00:00Z`);

export type { GraphQLResponse };

export interface Harness {
  mongo: EmbeddedMongo;
  db: Connection;
  models: PersonnelModels;
  counter: ReturnType<typeof attachCommandCounter>;
  /** POSTs to the subgraph's /graphql the way the gateway does. */
  /** As monitoring with a purpose (imposeSanction included), or as `as` (hr for hires and dismissals). */
  query<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>, as?: TokenClaims): Promise<GraphQLResponse<T>>;
  stop(): Promise<void>;
}

/** The personnel subgraph alone over HTTP, against a fresh embedded database, with "today" pinned. */
export async function startHarness(): Promise<Harness> {
  const mongo = await startEmbeddedMongo({ port: 0 });
  const db = await connectDatabase({ uri: mongo.uri, dbName: `personnel_test_${randomBytes(4).toString('hex')}` });
  const counter = attachCommandCounter(db);
  const auth = await testAuth({ role: 'monitoring', purpose: 'subgraph test' });
  const app = createPersonnelSubgraph({ db, config: { now: () => TODAY }, auth: { verifier: auth.verifier } });
  await Promise.all(Object.values(app.models).map((m) => m.init()));
  const server = await app.listen(0, '127.0.0.1');
  return {
    mongo,
    db,
    models: app.models,
    counter,
    async query(query, variables, as) {
      const authorization = as ? await auth.headersAs(as) : auth.headersFor(query);
      const res = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', ...authorization }, body: JSON.stringify({ query, variables }) });
      return (await res.json()) as GraphQLResponse<never>;
    },
    async stop() {
      await server.close();
      await auth.dispose();
      await db.close();
      await mongo.stop();
    },
  };
}

export const oid = () => new Types.ObjectId();

/** A small hand-made register: two bodies, positions, one servant with a known career. */
export async function fixture(m: PersonnelModels) {
  const ministry = { _id: oid(), name: 'Министерство финансов Республики Казахстан', level: 'CENTRAL' as const, region: 'ASTANA' as const, parentId: null };
  const unit = { _id: oid(), name: 'Департамент государственных доходов по Карагандинской области', level: 'CENTRAL_TERRITORIAL_OBLAST' as const, region: 'KARAGANDA' as const, parentId: ministry._id };
  await m.StateBody.insertMany([ministry, unit]);
  const pos = (stateBodyId: Types.ObjectId, categoryCode: string, corps: 'A' | 'B', holderId: Types.ObjectId | null = null) => ({
    _id: oid(), stateBodyId, title: corps === 'A' ? 'Руководитель департамента' : 'Главный эксперт', categoryCode, corps, isManagerial: corps === 'A', rotationSubject: false, holderId,
  });
  const servantId = oid();
  const held = pos(unit._id, 'C-O-4', 'B', servantId);
  const old = pos(ministry._id, 'C-4', 'B');
  const vacantB = pos(unit._id, 'C-O-5', 'B');
  const vacantA = pos(ministry._id, 'A-3', 'A');
  await m.Position.insertMany([held, old, vacantB, vacantA]);
  const current = { _id: oid(), servantId, positionId: held._id, stateBodyId: unit._id, startDate: d('2020-03-02'), endDate: null, endReason: null, orderNumber: '12-ЛС/2020' };
  await m.Assignment.insertMany([
    { _id: oid(), servantId, positionId: old._id, stateBodyId: ministry._id, startDate: d('2015-01-05'), endDate: d('2020-02-28'), endReason: 'ROTATION', orderNumber: '3-ЛС/2015' },
    current,
  ]);
  const iin = '791028302728';
  await m.CivilServant.insertMany([
    {
      _id: servantId, iin, lastName: 'Ахметов', firstName: 'Нурлан', patronymic: 'Серикович', lastNameLower: 'ахметов', birthDate: d('1979-10-28'), gender: 'MALE',
      serviceType: 'ADMINISTRATIVE', corps: 'B', status: 'ACTIVE', currentAssignmentId: current._id, currentPositionId: held._id, currentStateBodyId: unit._id,
      currentRegion: 'KARAGANDA', currentCategoryCode: 'C-O-4', lastSeparation: null,
    },
  ]);
  await m.Rotation.insertMany([{ servantId, fromBodyId: ministry._id, toBodyId: unit._id, startDate: d('2020-03-02'), scheme: 'CENTER_TO_REGION' }]);
  await m.Sanction.insertMany([{ servantId, type: 'REMARK', imposedOn: d('2021-05-10'), liftedOn: d('2021-11-10'), orderNumber: '7-ЛС/2021', grounds: 'Нарушение служебной дисциплины' }]);
  await m.Incentive.insertMany([{ servantId, type: 'BONUS', date: d('2023-12-20'), orderNumber: '99-ЛС/2023' }]);
  await m.Education.insertMany([{ servantId, institution: 'Назарбаев Университет', specialty: 'Экономика', degree: 'MASTER', graduatedOn: d('2003-06-30') }]);
  return { ministry, unit, servantId, iin, held, old, vacantB, vacantA, current };
}

/** A valid IIN nobody in the fixture has: a woman born on 1990-05-17. */
export const NEW_IIN = makeIIN(d('1990-05-17'), 'FEMALE', 1234);
