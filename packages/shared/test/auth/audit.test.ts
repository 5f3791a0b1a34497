import { startEmbeddedMongo, type EmbeddedMongo } from '@civil-service/embedded-mongo';
import type { Connection } from 'mongoose';
import { AuditWriter, auditEntriesForServant, auditModel, canonicalJson, connectDatabase, verifyAuditChain, type AuditDraft, type AuditModel } from '../../src';

const draft = (servantId: string, requestId: string): AuditDraft => ({
  at: new Date('2026-01-05T10:00:00Z'),
  requestId,
  subgraph: 'personnel',
  operationName: 'Profile',
  actor: { sub: 'inspector', role: 'monitoring', stateBody: null },
  servantId,
  categories: ['personal'],
  fields: ['CivilServant.iin'],
  purpose: 'check',
});

describe('audit chain', () => {
  let mongo: EmbeddedMongo;
  let conn: Connection;
  let model: AuditModel;

  beforeAll(async () => {
    mongo = await startEmbeddedMongo({ port: 0 });
    conn = await connectDatabase({ uri: mongo.uri, dbName: 'audit_chain_test' });
  });
  beforeEach(async () => {
    model = await auditModel(conn, `audit_${Date.now()}_${Math.round(Math.random() * 1e6)}`);
  });
  afterAll(async () => {
    await conn.close();
    await mongo.stop();
  });

  it('serialises canonically whatever the key order', () => {
    expect(canonicalJson({ b: 1, a: [new Date('2026-01-01T00:00:00Z'), { d: null, c: 'x' }] })).toBe('{"a":["2026-01-01T00:00:00.000Z",{"c":"x","d":null}],"b":1}');
  });

  it('keeps one unbroken chain under concurrent requests and concurrent processes', async () => {
    // Two writers on one collection stand for two processes: only the unique seq index orders them.
    const a = new AuditWriter(model);
    const b = new AuditWriter(model);
    const writes = [];
    for (let i = 0; i < 20; i++) writes.push((i % 2 ? a : b).append([draft(`S${i}`, `r${i}`), draft(`T${i}`, `r${i}`)]));
    await Promise.all(writes);
    expect(await model.countDocuments()).toBe(40);
    await expect(verifyAuditChain(model)).resolves.toMatchObject({ ok: true, count: 40, lastSeq: 40 });
    expect((await auditEntriesForServant(model, 'S3')).map((e) => e.requestId)).toEqual(['r3']);
  });

  it('writes the entries of requests that wait together with one insert, each request getting its own', async () => {
    const writer = new AuditWriter(model);
    const inserts = jest.spyOn(model, 'insertMany');
    const written = await Promise.all(Array.from({ length: 20 }, (_, i) => writer.append([draft(`S${i}`, `r${i}`), draft(`T${i}`, `r${i}`)])));
    // The first request is written alone; the 19 that arrived meanwhile together.
    expect(inserts).toHaveBeenCalledTimes(2);
    written.forEach((entries, i) => expect(entries.map((e) => [e.requestId, e.servantId])).toEqual([[`r${i}`, `S${i}`], [`r${i}`, `T${i}`]]));
    expect(written.flat().map((e) => e.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    await expect(verifyAuditChain(model)).resolves.toMatchObject({ ok: true, count: 40 });
    inserts.mockRestore();
  });

  it('fails the requests of a failed write, not those written after it', async () => {
    const writer = new AuditWriter(model);
    const inserts = jest.spyOn(model, 'insertMany').mockRejectedValueOnce(new Error('database unavailable'));
    const first = writer.append([draft('S1', 'r1')]);
    const second = writer.append([draft('S2', 'r2')]);
    await expect(first).rejects.toThrow('database unavailable');
    await expect(second).resolves.toMatchObject([{ requestId: 'r2', seq: 1 }]);
    await expect(writer.append([draft('S3', 'r3')])).resolves.toMatchObject([{ requestId: 'r3', seq: 2 }]);
    await expect(verifyAuditChain(model)).resolves.toMatchObject({ ok: true, count: 2 });
    inserts.mockRestore();
  });

  it('reports the first tampered, removed or re-linked entry', async () => {
    const writer = new AuditWriter(model);
    for (let i = 0; i < 5; i++) await writer.append([draft(`S${i}`, `r${i}`)]);
    await expect(verifyAuditChain(model)).resolves.toMatchObject({ ok: true, count: 5 });
    // Changed behind the model's back, as an intruder with database access would.
    await model.collection.updateOne({ seq: 3 }, { $set: { purpose: 'nothing to see' } });
    await expect(verifyAuditChain(model)).resolves.toEqual({ ok: false, count: 2, brokenAt: 3, reason: 'content does not match its hash' });
    await model.collection.deleteOne({ seq: 3 });
    await expect(verifyAuditChain(model)).resolves.toMatchObject({ ok: false, brokenAt: 4, reason: 'expected seq 3, found 4' });
  });

  it('refuses updates and deletes through the model', async () => {
    await new AuditWriter(model).append([draft('S1', 'r1')]);
    await expect(model.updateOne({ seq: 1 }, { $set: { purpose: 'x' } })).rejects.toThrow('append-only');
    await expect(model.deleteMany({})).rejects.toThrow('append-only');
  });
});
