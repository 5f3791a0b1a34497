import { Types } from 'mongoose';
import { auditModel, verifyAuditChain } from '@civil-service/shared';
import { startStack, type Stack } from './helpers/stack';

/** Authentication, the role policy and the audit, end to end through the gateway. */
let stack: Stack;
let servant: { id: string; iin: string; body: string };
let otherBody: string;
beforeAll(async () => {
  stack = await startStack({ servants: 120, seed: 7 });
  const db = stack.dbs.personnel.db!;
  const s = await db.collection('civil_servants').findOne({ status: 'ACTIVE', currentStateBodyId: { $ne: null } });
  servant = { id: String(s!._id), iin: String(s!.iin), body: String(s!.currentStateBodyId) };
  // A body with no ancestor or descendant relation to the servant's: a root body of another tree.
  const chain: string[] = [];
  for (let at: unknown = s!.currentStateBodyId; at; ) {
    chain.push(String(at));
    at = (await db.collection('state_bodies').findOne({ _id: at as Types.ObjectId }))?.parentId;
  }
  otherBody = String((await db.collection('state_bodies').findOne({ parentId: null, _id: { $nin: chain.map((id) => new Types.ObjectId(id)) } }))!._id);
});
afterAll(() => stack?.stop());

const PROFILE = `query P($iin: IIN!) { civilServant(iin: $iin) { id iin lastName firstName birthDate status sanctions { type } corruptionRecords { article } currentAssignment { position { title } } trainingOverdue latestAnnualBand } }`;
const codes = (res: { errors?: Array<{ extensions?: Record<string, unknown>; path?: Array<string | number> }> }) =>
  (res.errors ?? []).map((e) => `${(e.path ?? []).join('.')}:${String(e.extensions?.code)}`).sort();

async function sign(header: object, payload: object): Promise<string> {
  const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${b64(header)}.${b64(payload)}.`;
}

describe('authentication through the gateway', () => {
  const now = () => Math.floor(Date.now() / 1000);
  it.each([
    ['no token', async () => null],
    ['garbage', async () => 'not.a.token'],
    ['alg none', async () => sign({ alg: 'none', typ: 'JWT' }, { sub: 'x', role: 'monitoring', iss: 'urn:civil-service-graph:dev-issuer', aud: 'urn:civil-service-graph', exp: now() + 600 })],
    ['forged signature', async () => {
      const [h, , sig] = (await stack.token({ role: 'analyst' })).split('.');
      const payload = Buffer.from(JSON.stringify({ sub: 'x', role: 'monitoring', purpose: 'p', iss: 'urn:civil-service-graph:dev-issuer', aud: 'urn:civil-service-graph', exp: now() + 600 })).toString('base64url');
      return `${h}.${payload}.${sig}`;
    }],
    ['expired', async () => stack.auth.token({ role: 'monitoring', purpose: 'p' }, { ttlMinutes: -10 })],
    ['wrong audience', async () => stack.auth.token({ role: 'monitoring', purpose: 'p' }, { audience: 'urn:someone-else' })],
  ])('%s → 401 UNAUTHENTICATED, nothing resolved', async (_, token) => {
    const { status, body } = await stack.post(stack.gatewayUrl, { query: PROFILE, variables: { iin: servant.iin } }, { token: await token() });
    expect(status).toBe(401);
    expect(body.data ?? null).toBeNull();
    expect(body.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('a direct subgraph call needs a token too', async () => {
    for (const url of Object.values(stack.subgraphUrls)) {
      const without = await stack.post(url, { query: '{ __typename }' }, { token: null });
      expect([without.status, without.body.errors?.[0]?.extensions?.code]).toEqual([401, 'UNAUTHENTICATED']);
    }
    const withToken = await stack.post(stack.subgraphUrls.personnel, { query: `{ civilServant(id: "${servant.id}") { id iin } }` });
    expect(withToken.body).toEqual({ data: { civilServant: { id: servant.id, iin: servant.iin } } });
  });
});

describe('roles', () => {
  it('analyst: no named servant, reference data arrives', async () => {
    const res = await stack.query(`query { civilServant(iin: "${servant.iin}") { id } stateBodies { id } }`, undefined, undefined, { token: await stack.token({ role: 'analyst' }) });
    expect(codes(res)).toEqual(['civilServant:FORBIDDEN']);
    expect((res.data as { stateBodies: unknown[] }).stateBodies.length).toBeGreaterThan(0);
  });

  it('academy: names and placement and training, not personal, special or evaluation fields', async () => {
    const res = await stack.query<{ civilServant: Record<string, unknown> }>(PROFILE, { iin: servant.iin }, undefined, { token: await stack.token({ role: 'academy' }) });
    expect(codes(res)).toEqual(['civilServant.birthDate:FORBIDDEN', 'civilServant.corruptionRecords:FORBIDDEN', 'civilServant.iin:FORBIDDEN', 'civilServant.latestAnnualBand:FORBIDDEN', 'civilServant.sanctions:FORBIDDEN']);
    expect(res.data!.civilServant).toMatchObject({ id: servant.id, iin: null, sanctions: null, status: 'ACTIVE' });
    expect(typeof res.data!.civilServant.lastName).toBe('string');
  });

  it('hr: its own body, not another body’s servant', async () => {
    const own = await stack.query<{ civilServant: Record<string, unknown> }>(PROFILE, { iin: servant.iin }, undefined, { token: await stack.token({ role: 'hr', stateBody: servant.body, purpose: 'review' }) });
    expect(own.errors).toBeUndefined();
    expect(own.data!.civilServant.iin).toBe(servant.iin);
    const other = await stack.query<{ civilServant: Record<string, unknown> | null }>(PROFILE, { iin: servant.iin }, undefined, { token: await stack.token({ role: 'hr', stateBody: otherBody, purpose: 'review' }) });
    expect(codes(other).every((c) => c.endsWith(':FORBIDDEN'))).toBe(true);
    expect(other.data!.civilServant?.iin ?? null).toBeNull();
  });

  it('hr of another body is refused the training and evaluation fields (scope asked of personnel over HTTP)', async () => {
    // Straight to each subgraph, as the gateway would ask: through the gateway the refused id hides them.
    const entities = (field: string) => ({ query: `{ _entities(representations: [{ __typename: "CivilServant", id: "${servant.id}" }]) { ... on CivilServant { ${field} } } }` });
    const [own, other] = [await stack.token({ role: 'hr', stateBody: servant.body }), await stack.token({ role: 'hr', stateBody: otherBody })];
    for (const [name, field] of [['training', 'trainingOverdue'], ['evaluation', 'latestAnnualBand']] as const) {
      expect((await stack.post(stack.subgraphUrls[name], entities(field), { token: own })).body.errors).toBeUndefined();
      const refused = (await stack.post<{ _entities: Array<Record<string, unknown> | null> }>(stack.subgraphUrls[name], entities(field), { token: other })).body;
      expect(codes(refused)).toEqual([`_entities.0.${field}:FORBIDDEN`]);
      expect(refused.data?._entities[0]?.[field] ?? null).toBeNull();
    }
  });

  it('servantBodyChains: a service token only, and not in the public API', async () => {
    const q = `{ servantBodyChains(ids: ["${servant.id}"]) { servantId chain } }`;
    const asService = await stack.post<{ servantBodyChains: Array<{ chain: string[] }> }>(stack.subgraphUrls.personnel, { query: q }, { token: await stack.token({ role: 'service', sub: 'service:test' }) });
    expect(asService.body.errors).toBeUndefined();
    expect(asService.body.data!.servantBodyChains[0].chain[0]).toBe(servant.body);
    for (const claims of [{ role: 'monitoring' as const, purpose: 'p' }, { role: 'hr' as const, stateBody: servant.body, purpose: 'p' }]) {
      const refused = await stack.post(stack.subgraphUrls.personnel, { query: q }, { token: await stack.token(claims) });
      expect(codes(refused.body)).toEqual(['servantBodyChains:FORBIDDEN']);
    }
    // A service token reads nothing else, and the gateway does not know the field.
    const profile = await stack.post(stack.subgraphUrls.personnel, { query: `{ civilServant(id: "${servant.id}") { id } }` }, { token: await stack.token({ role: 'service' }) });
    expect(codes(profile.body)).toEqual(['civilServant:FORBIDDEN']);
    expect((await stack.query(q)).errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('hr outside personnel is decided from the directory copy while personnel is down; a servant the copy does not know is refused (fail closed)', async () => {
    const entity = (id: string) => ({ query: `{ _entities(representations: [{ __typename: "CivilServant", id: "${id}" }]) { ... on CivilServant { trainingOverdue } } }` });
    const token = await stack.token({ role: 'hr', stateBody: servant.body });
    expect((await stack.post(stack.subgraphUrls.training, entity(servant.id), { token })).body.errors).toBeUndefined();
    await stack.stopSubgraph('personnel');
    try {
      expect((await stack.post(stack.subgraphUrls.training, entity(servant.id), { token })).body.errors).toBeUndefined();
      const unknown = new Types.ObjectId().toHexString();
      expect(codes((await stack.post(stack.subgraphUrls.training, entity(unknown), { token })).body)).toEqual(['_entities.0.trainingOverdue:FORBIDDEN']);
    } finally {
      await stack.startSubgraph('personnel');
    }
  });

  it('monitoring without a purpose gets no personal data', async () => {
    const res = await stack.query<{ civilServant: Record<string, unknown> }>(PROFILE, { iin: servant.iin }, undefined, { token: await stack.token({ role: 'monitoring' }) });
    expect(codes(res)).toContain('civilServant.iin:FORBIDDEN');
    expect(res.data!.civilServant.status).toBe('ACTIVE');
  });

  it('servant: own profile and own access log, nobody else’s', async () => {
    const token = await stack.token({ role: 'servant', servant: servant.id, sub: 'servant-self' });
    const own = await stack.query<{ civilServant: Record<string, unknown> }>(PROFILE, { iin: servant.iin }, undefined, { token });
    expect(own.errors).toBeUndefined();
    const log = await stack.query<{ myDataAccessLog: Array<{ actorRole: string }> }>('{ myDataAccessLog { actorRole actorSubject fields } }', undefined, undefined, { token });
    expect(log.errors).toBeUndefined();
    expect(log.data!.myDataAccessLog.map((e) => e.actorRole)).toContain('servant');
    const others = await stack.query(`{ dataAccessLog(servantId: "${new Types.ObjectId().toHexString()}") { at } }`, undefined, undefined, { token });
    expect(codes(others)).toEqual(['dataAccessLog:FORBIDDEN']);
  });
});

describe('audit', () => {
  it('N reads → N entries for the servant, one per request; the chain is valid; a tampered entry is found', async () => {
    const model = await auditModel(stack.dbs.personnel);
    const before = await model.countDocuments({ servantId: servant.id });
    for (let i = 0; i < 5; i++) expect((await stack.query(PROFILE, { iin: servant.iin })).errors).toBeUndefined();
    expect(await model.countDocuments({ servantId: servant.id })).toBe(before + 5);
    const log = await stack.query<{ dataAccessLog: Array<{ purpose: string; categories: string[] }> }>(`{ dataAccessLog(servantId: "${servant.id}", first: 5) { purpose categories } }`);
    expect(log.data!.dataAccessLog).toHaveLength(5);
    expect(log.data!.dataAccessLog[0]).toEqual({ purpose: 'end-to-end contract check', categories: ['identity', 'personal', 'special'] });
    expect(await verifyAuditChain(model)).toMatchObject({ ok: true });
    // Around the model (which refuses updates), as an intruder with database access would.
    await stack.dbs.personnel.db!.collection('audit_log').updateOne({ seq: 2 }, { $set: { purpose: 'nothing to see' } });
    expect(await verifyAuditChain(model)).toMatchObject({ ok: false, brokenAt: 2 });
  });
});
