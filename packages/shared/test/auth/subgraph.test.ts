import { startEmbeddedMongo, type EmbeddedMongo } from '@civil-service/embedded-mongo';
import type { Connection } from 'mongoose';
import { AuditWriter, auditModel, connectDatabase, createSubgraphApp, enableAuth, verifyAuditChain, type AuditModel, type Listening } from '../../src';
import { bearer, post, startToy, testKeys, type TestKeys } from './helpers';

describe('a subgraph with the auth policy', () => {
  let keys: TestKeys;
  let mongo: EmbeddedMongo;
  let conn: Connection;
  let model: AuditModel;
  let toy: Listening;
  let chainLookups: string[][];

  beforeAll(async () => {
    keys = await testKeys();
    mongo = await startEmbeddedMongo({ port: 0 });
    conn = await connectDatabase({ uri: mongo.uri, dbName: 'auth_subgraph_test' });
    model = await auditModel(conn);
    ({ listening: toy, chainLookups } = await startToy(keys.verifier, new AuditWriter(model)));
  });
  afterAll(async () => {
    await toy.close();
    await conn.close();
    await mongo.stop();
    await keys.cleanup();
  });

  it('refuses a request without a token, or with a bad one, before resolving anything', async () => {
    const none = await post(toy.url, '{ headcount }');
    expect(none.status).toBe(401);
    expect(none.data).toBeUndefined();
    expect(none.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    const bad = await post(toy.url, '{ headcount }', { authorization: 'Bearer abc.def.ghi' });
    expect([bad.status, bad.errors?.[0].extensions?.code]).toEqual([401, 'UNAUTHENTICATED']);
    const basic = await post(toy.url, '{ headcount }', { authorization: 'Basic dXNlcjpwYXNz' });
    expect(basic.status).toBe(401);
  });

  it('returns null with FORBIDDEN for a denied field while the rest of the answer arrives', async () => {
    const token = await keys.token({ role: 'academy' });
    const res = await post(toy.url, '{ headcount civilServant(id: "S1") { id lastName learningHours iin sanctions } }', bearer(token));
    expect(res.status).toBe(200);
    expect(res.data).toEqual({ headcount: 2, civilServant: { id: 'S1', lastName: 'Abenov', learningHours: 40, iin: null, sanctions: null } });
    expect(res.errors?.map((e) => [e.path?.join('.'), e.extensions?.code])).toEqual([
      ['civilServant.iin', 'FORBIDDEN'],
      ['civilServant.sanctions', 'FORBIDDEN'],
    ]);
  });

  it('gives analysts aggregates but no named servant, and the feedback channel nothing to read', async () => {
    const analyst = await post(toy.url, '{ headcount civilServant(id: "S1") { id } }', bearer(await keys.token({ role: 'analyst' })));
    expect(analyst.data).toEqual({ headcount: 2, civilServant: null });
    expect(analyst.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const feedback = await post(toy.url, '{ headcount }', bearer(await keys.token({ role: 'feedback' })));
    expect(feedback.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });

  it('limits hr to its body and the bodies below it, looking up body chains once per request', async () => {
    const token = await keys.token({ role: 'hr', stateBody: 'B1' });
    chainLookups.length = 0;
    const res = await post(toy.url, '{ civilServants { id status iin } }', bearer(token, 'personnel file review'));
    // S2's non-null id is refused, so S2 is null as a whole (the list items are nullable here).
    expect(res.data).toEqual({ civilServants: [{ id: 'S1', status: 'ACTIVE', iin: '791028302728' }, null] });
    expect(res.errors?.every((e) => e.extensions?.code === 'FORBIDDEN' && e.path?.[1] === 1)).toBe(true);
    expect(chainLookups).toEqual([['S1', 'S2']]);
    const write = await post(toy.url, 'mutation { inside: dismiss(id: "S1") { status } outside: dismiss(id: "S2") { status } }', bearer(token, 'dismissal'));
    expect(write.data?.inside).toEqual({ status: 'DISMISSED' });
    expect(write.data?.outside).toBeNull();
    expect(write.errors?.map((e) => e.path?.join('.'))).toEqual(['outside']);
  });

  it('requires a purpose for monitoring reads of personal data', async () => {
    const token = await keys.token({ role: 'monitoring' });
    const res = await post(toy.url, '{ civilServant(id: "S2") { status lastName } }', bearer(token));
    expect(res.data).toEqual({ civilServant: { status: 'ACTIVE', lastName: null } });
    expect(res.errors?.[0].message).toContain('purpose');
    const withPurpose = await post(toy.url, '{ civilServant(id: "S2") { lastName } }', bearer(token, encodeURIComponent('проверка декларации')));
    expect(withPurpose.data).toEqual({ civilServant: { lastName: 'Bekova' } });
    const [last] = await model.find({ requestId: { $exists: true } }).sort({ seq: -1 }).limit(1).lean();
    expect(last.purpose).toBe('проверка декларации');
  });

  it('lets a servant read only their own record', async () => {
    const token = await keys.token({ role: 'servant', servant: 'S1' });
    const res = await post(toy.url, '{ own: civilServant(id: "S1") { iin } other: civilServant(id: "S2") { iin } }', bearer(token));
    expect(res.data).toEqual({ own: { iin: '791028302728' }, other: { iin: null } });
  });

  it('rate-limits the feedback channel', async () => {
    const token = await keys.token({ role: 'feedback', sub: 'kiosk-7' });
    const answers = [];
    for (let i = 0; i < 31; i++) answers.push(await post(toy.url, 'mutation { submitFeedback(rating: 5) }', bearer(token)));
    expect(answers.slice(0, 30).every((a) => a.data?.submitFeedback === true)).toBe(true);
    expect(answers[30].errors?.[0].message).toContain('rate limit');
  });

  it('writes one audit entry per servant per request, hash-chained', async () => {
    const before = await model.countDocuments();
    const token = await keys.token({ role: 'monitoring', sub: 'inspector-1', purpose: 'complaint 17' });
    const reads = 5;
    for (let i = 0; i < reads; i++) {
      const res = await post(toy.url, 'query Profile { civilServants { iin lastName sanctions status } }', { ...bearer(token), 'x-request-id': `req-${i}` });
      expect(res.errors).toBeUndefined();
    }
    const entries = await model.find({ requestId: /^req-/ }).sort({ seq: 1 }).lean();
    expect(await model.countDocuments()).toBe(before + reads * 2);
    expect(entries).toHaveLength(reads * 2);
    expect(entries[0]).toMatchObject({
      actor: { sub: 'inspector-1', role: 'monitoring', stateBody: null },
      servantId: 'S1',
      categories: ['identity', 'personal', 'special'],
      fields: ['CivilServant.iin', 'CivilServant.lastName', 'CivilServant.sanctions'],
      operationName: 'Profile',
      purpose: 'complaint 17',
      requestId: 'req-0',
      subgraph: 'toy',
    });
    await expect(verifyAuditChain(model)).resolves.toMatchObject({ ok: true, count: before + reads * 2 });
  });

  it('does not record reads of non-personal data', async () => {
    const before = await model.countDocuments();
    await post(toy.url, '{ civilServants { status learningHours } headcount }', bearer(await keys.token({ role: 'monitoring' })));
    expect(await model.countDocuments()).toBe(before);
  });
});

describe('a subgraph whose audit log cannot be written', () => {
  it('returns no data at all', async () => {
    const keys = await testKeys();
    const failing = new AuditWriter({} as AuditModel);
    failing.append = () => Promise.reject(new Error('disk full'));
    const { listening } = await startToy(keys.verifier, failing);
    try {
      const token = await keys.token({ role: 'monitoring', purpose: 'p' });
      const res = await post(listening.url, '{ headcount civilServant(id: "S1") { iin lastName } }', bearer(token));
      expect(res.status).toBe(503);
      expect(res.data).toBeNull();
      expect(JSON.stringify(res)).not.toContain('791028302728');
      expect(JSON.stringify(res)).not.toContain('Abenov');
      expect(res.errors?.[0].message).toContain('audit');
      // Reads of nothing audited are unaffected.
      const plain = await post(listening.url, '{ headcount }', bearer(token));
      expect(plain.data).toEqual({ headcount: 2 });
    } finally {
      await listening.close();
      await keys.cleanup();
    }
  });
});

describe('enableAuth at start', () => {
  it('refuses a mutation without @writeAccess and a schema without the directives', async () => {
    const keys = await testKeys();
    const make = (typeDefs: string) => createSubgraphApp({ name: 'x', typeDefs, resolvers: {}, context: async () => ({}) });
    const { AUTH_DIRECTIVES_SDL } = await import('../../src');
    expect(() => enableAuth(make(`${AUTH_DIRECTIVES_SDL} type Query { a: Int } type Mutation { b: Int }`), { verifier: keys.verifier })).toThrow('Mutation.b');
    expect(() => enableAuth(make('type Query { a: Int }'), { verifier: keys.verifier })).toThrow('AUTH_DIRECTIVES_SDL');
    expect(() => enableAuth(make(`${AUTH_DIRECTIVES_SDL} type Query { a: Int } type T @servantRecord(area: "genral") { x: Int }`), { verifier: keys.verifier })).toThrow('genral');
    await keys.cleanup();
  });
});
