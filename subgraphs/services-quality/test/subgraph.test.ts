import { Types, type Connection } from 'mongoose';
import { startEmbeddedMongo } from '@civil-service/embedded-mongo';
import { attachCommandCounter, connectDatabase, testAuth, type TestAuth } from '@civil-service/shared';
import { createServicesQualitySubgraph } from '../src';
import { fillDirectory, servantAt } from './directory';

const today = new Date(Date.UTC(2026, 10, 24));
const bodyA = new Types.ObjectId().toHexString();
const bodyB = new Types.ObjectId().toHexString();
const servant1 = new Types.ObjectId().toHexString();
const servant2 = new Types.ObjectId().toHexString();

let mongo: Awaited<ReturnType<typeof startEmbeddedMongo>>;
let db: Connection;
let server: { url: string; close(): Promise<void> };
let app: ReturnType<typeof createServicesQualitySubgraph>;
let auth: TestAuth;

async function gql(query: string, variables?: Record<string, unknown>) {
  const res = await fetch(server.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...auth.headersFor(query) },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data?: Record<string, unknown>; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
}

beforeAll(async () => {
  mongo = await startEmbeddedMongo({ port: 0 });
  db = await connectDatabase({ uri: mongo.uri, dbName: 'services_quality_test' });
  auth = await testAuth({ role: 'feedback' });
  app = createServicesQualitySubgraph({ db, config: { now: () => today }, auth: { verifier: auth.verifier } });
  await Promise.all(Object.values(app.models).map((m) => m.init()));
  server = await app.listen(0, '127.0.0.1');

  // Feedback may only name servants the directory knows.
  const karaganda = { region: 'KARAGANDA', level: 'LOCAL_DISTRICT' };
  await fillDirectory(app.models, [servantAt(servant1, { id: bodyA, ...karaganda }), servantAt(servant2, { id: bodyB, ...karaganda })]);
  await app.models.PublicService.insertMany([
    { _id: '00103001', name: 'State registration of birth', channels: ['PSC', 'EGOV_PORTAL'], standardDeadlineDays: 1, isElectronic: true, providerStateBodyId: bodyB },
    { _id: '00201001', name: 'Allocation of a land plot', channels: ['PROVIDER_OFFICE'], standardDeadlineDays: 30, isElectronic: false, providerStateBodyId: null },
  ]);
  await app.models.ServiceRequestStat.insertMany([
    { stateBodyId: bodyA, serviceCode: '00103001', servantId: servant1, year: 2026, month: 3, requests: 40, onTime: 38 },
    { stateBodyId: bodyA, serviceCode: '00103001', servantId: null, year: 2026, month: 3, requests: 60, onTime: 52 },
    { stateBodyId: bodyA, serviceCode: '00201001', servantId: servant1, year: 2025, month: 12, requests: 10, onTime: 10 },
    { stateBodyId: bodyB, serviceCode: '00201001', servantId: servant2, year: 2026, month: 6, requests: 5, onTime: 1 },
  ]);
  await app.models.Feedback.insertMany([
    { serviceCode: '00103001', stateBodyId: bodyA, servantId: servant1, rating: 5, onTime: true, comment: null, submittedOn: new Date('2026-02-10') },
    { serviceCode: '00103001', stateBodyId: bodyA, servantId: servant1, rating: 2, onTime: false, comment: 'Slow', submittedOn: new Date('2026-03-10') },
    { serviceCode: '00103001', stateBodyId: bodyA, servantId: null, rating: 4, onTime: true, comment: null, submittedOn: new Date('2025-05-10') },
  ]);
  await app.models.Violation.insertMany([
    { stateBodyId: bodyA, serviceCode: '00201001', servantId: servant1, type: 'DEADLINE_BREACH', detectedOn: new Date('2026-01-15'), description: 'Late' },
    { stateBodyId: bodyA, serviceCode: '00103001', servantId: servant1, type: 'EXCESS_DOCUMENTS', detectedOn: new Date('2026-04-15'), description: 'Extra papers' },
    { stateBodyId: bodyA, serviceCode: '00103001', servantId: null, type: 'FEE_VIOLATION', detectedOn: new Date('2025-04-15'), description: 'Fee' },
  ]);
});

afterAll(async () => {
  await server?.close();
  await db?.close();
  await mongo?.stop();
  await auth?.dispose();
});

describe('services-quality subgraph', () => {
  it('lists the register of public services ordered by code, with the provider as a reference', async () => {
    const res = await gql('{ publicServices { code name channels standardDeadlineDays isElectronic provider { id } } }');
    expect(res.errors).toBeUndefined();
    expect(res.data?.publicServices).toEqual([
      { code: '00103001', name: 'State registration of birth', channels: ['PSC', 'EGOV_PORTAL'], standardDeadlineDays: 1, isElectronic: true, provider: { id: bodyB } },
      { code: '00201001', name: 'Allocation of a land plot', channels: ['PROVIDER_OFFICE'], standardDeadlineDays: 30, isElectronic: false, provider: null },
    ]);
  });

  it("computes a servant's figures over all years, violations newest first", async () => {
    const res = await gql(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on CivilServant { id serviceQuality {
        requestsHandled onTimeRate averageRating feedbackCount violations { type detectedOn service { code } } } } } }`,
      { r: [{ __typename: 'CivilServant', id: servant1 }, { __typename: 'CivilServant', id: new Types.ObjectId().toHexString() }] },
    );
    expect(res.errors).toBeUndefined();
    const [first, nobody] = res.data?._entities as Array<{ serviceQuality: Record<string, unknown> }>;
    expect(first.serviceQuality).toEqual({
      requestsHandled: 50,
      onTimeRate: 48 / 50,
      averageRating: 3.5,
      feedbackCount: 2,
      violations: [
        { type: 'EXCESS_DOCUMENTS', detectedOn: '2026-04-15', service: { code: '00103001' } },
        { type: 'DEADLINE_BREACH', detectedOn: '2026-01-15', service: { code: '00201001' } },
      ],
    });
    expect(nobody.serviceQuality).toEqual({ requestsHandled: 0, onTimeRate: null, averageRating: null, feedbackCount: 0, violations: [] });
  });

  it("computes a body's figures for one year, defaulting to the current year", async () => {
    const res = await gql(
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on StateBody { id
        now: serviceQuality { year requests onTimeRate averageRating violationsCount }
        last: serviceQuality(year: 2025) { year requests onTimeRate averageRating violationsCount } } } }`,
      { r: [{ __typename: 'StateBody', id: bodyA }] },
    );
    expect(res.errors).toBeUndefined();
    const [body] = res.data?._entities as Array<Record<string, unknown>>;
    expect(body.now).toEqual({ year: 2026, requests: 100, onTimeRate: 0.9, averageRating: 3.5, violationsCount: 2 });
    expect(body.last).toEqual({ year: 2025, requests: 10, onTimeRate: 1, averageRating: 4, violationsCount: 1 });
  });

  it('resolves a page of 5 or 50 entities with the same number of database commands', async () => {
    const counter = attachCommandCounter(db);
    const query = `query($r: [_Any!]!) { _entities(representations: $r) {
      ... on CivilServant { serviceQuality { requestsHandled averageRating violations { service { name } } } }
      ... on StateBody { serviceQuality(year: 2026) { requests averageRating violationsCount } } } }`;
    const reps = (n: number) => [
      ...Array.from({ length: n }, (_, i) => ({ __typename: 'CivilServant', id: i === 0 ? servant1 : new Types.ObjectId().toHexString() })),
      ...Array.from({ length: n }, (_, i) => ({ __typename: 'StateBody', id: i === 0 ? bodyA : new Types.ObjectId().toHexString() })),
    ];
    counter.reset();
    expect((await gql(query, { r: reps(5) })).errors).toBeUndefined();
    const small = counter.byCollection();
    counter.reset();
    expect((await gql(query, { r: reps(50) })).errors).toBeUndefined();
    const large = counter.byCollection();
    expect(large).toEqual(small);
    // Servant figures and body figures are one aggregation each per collection; the services of
    // every servant's violations are one find.
    expect(small).toEqual({ servicerequeststats: 2, feedback: 2, violations: 2, publicservices: 1 });
  });

  it('resolves PublicService references in one query, null for unknown codes', async () => {
    const counter = attachCommandCounter(db);
    try {
      const res = await gql(`query($r: [_Any!]!) { _entities(representations: $r) { ... on PublicService { code name } } }`, {
        r: ['00201001', 'NOPE', '00103001'].map((code) => ({ __typename: 'PublicService', code })),
      });
      expect(res.errors).toBeUndefined();
      expect(res.data?._entities).toEqual([{ code: '00201001', name: 'Allocation of a land plot' }, null, { code: '00103001', name: 'State registration of birth' }]);
      expect(counter.byCollection()).toEqual({ publicservices: 1 });
    } finally {
      counter.detach();
    }
  });

  it('refuses a body figure for a year before the register, naming year', async () => {
    const res = await gql(`query($r: [_Any!]!) { _entities(representations: $r) { ... on StateBody { serviceQuality(year: 1900) { requests } } } }`, {
      r: [{ __typename: 'StateBody', id: bodyA }],
    });
    expect(res.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'year' });
  });

  describe('submitServiceFeedback', () => {
    const mutation = `mutation($input: ServiceFeedbackInput!) { submitServiceFeedback(input: $input) { id rating onTime comment submittedOn service { code } } }`;
    const valid = { serviceCode: '00103001', stateBodyId: bodyA, servantId: servant2, rating: 4, onTime: true, comment: '  Fine  ' };

    it('records feedback and counts it in the figures', async () => {
      const before = await app.models.Feedback.countDocuments();
      const res = await gql(mutation, { input: valid });
      expect(res.errors).toBeUndefined();
      expect(res.data?.submitServiceFeedback).toMatchObject({ rating: 4, onTime: true, comment: 'Fine', submittedOn: '2026-11-24', service: { code: '00103001' } });
      expect(await app.models.Feedback.countDocuments()).toBe(before + 1);
      const q = await gql(`query($r: [_Any!]!) { _entities(representations: $r) { ... on CivilServant { serviceQuality { feedbackCount averageRating } } } }`, {
        r: [{ __typename: 'CivilServant', id: servant2 }],
      });
      expect(q.data?._entities).toEqual([{ serviceQuality: { feedbackCount: 1, averageRating: 4 } }]);
    });

    // The last column is `extensions.field`; null where GraphQL itself refuses the input.
    it.each<[string, Record<string, unknown>, string, string, string | null]>([
      ['rating below 1', { rating: 0 }, 'BAD_USER_INPUT', 'rating', 'rating'],
      ['rating above 5', { rating: 6 }, 'BAD_USER_INPUT', 'rating', 'rating'],
      ['fractional rating', { rating: 2.5 }, 'BAD_USER_INPUT', 'rating', null],
      ['comment over 2000 characters', { comment: 'x'.repeat(2001) }, 'BAD_USER_INPUT', 'comment', 'comment'],
      ['malformed body id', { stateBodyId: 'akimat-1' }, 'BAD_USER_INPUT', 'stateBodyId', 'stateBodyId'],
      ['malformed servant id', { servantId: '123' }, 'BAD_USER_INPUT', 'servantId', 'servantId'],
      ['unknown service', { serviceCode: '99999999' }, 'NOT_FOUND', '99999999', null],
      ['servant unknown to the directory', { servantId: 'ab'.repeat(12) }, 'NOT_FOUND', 'abababababababababababab', null],
      ['missing rating', { rating: undefined }, 'BAD_USER_INPUT', 'rating', null],
    ])('refuses %s and writes nothing', async (_name, change, code, mentioned, field) => {
      const before = await app.models.Feedback.countDocuments();
      const res = await gql(mutation, { input: { ...valid, ...change } });
      expect(res.data?.submitServiceFeedback ?? null).toBeNull();
      expect(res.errors?.[0]?.extensions?.code).toBe(code);
      expect(res.errors?.[0]?.message).toContain(mentioned);
      if (field) expect(res.errors?.[0]?.extensions?.field).toBe(field);
      expect(await app.models.Feedback.countDocuments()).toBe(before);
    });

    it('takes the comment limit from the configured, effective-dated rules', async () => {
      const strict = createServicesQualitySubgraph({
        db,
        auth: { verifier: auth.verifier },
        config: {
          now: () => today,
          rules: [
            { validFrom: '2013-01-01', validTo: '2026-01-01', value: { ratingMin: 1, ratingMax: 5, commentMaxLength: 2000 } },
            { validFrom: '2026-01-01', validTo: null, value: { ratingMin: 1, ratingMax: 5, commentMaxLength: 10 } },
          ],
        },
      });
      const listening = await strict.listen(0, '127.0.0.1');
      try {
        const before = await app.models.Feedback.countDocuments();
        const res = await fetch(listening.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...auth.headersFor(mutation) },
          body: JSON.stringify({ query: mutation, variables: { input: { ...valid, comment: 'eleven char' } } }),
        });
        const body = (await res.json()) as { errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
        expect(body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'comment' });
        expect(body.errors?.[0]?.message).toContain('at most 10 characters');
        expect(await app.models.Feedback.countDocuments()).toBe(before);
      } finally {
        await listening.close();
      }
    });
  });
});
