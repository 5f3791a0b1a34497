import { Long, type Document } from 'bson';
import { MSG_MORE_TO_COME, OP_MSG, OP_REPLY } from '../../src/wire/messages';
import { RawClient } from '../raw-client';
import { hostPort, openTarget, type Target } from './target';

describe('conformance: wire protocol', () => {
  let t: Target;
  let dbName: string;
  let raw: RawClient;
  beforeAll(async () => {
    t = await openTarget();
    dbName = t.db('protocol').databaseName;
  });
  beforeEach(async () => {
    const { host, port } = hostPort(t.uri);
    raw = await RawClient.connect(port, host);
  });
  afterEach(() => raw.destroy());
  afterAll(() => t.close());

  it('answers the legacy OP_QUERY ismaster handshake with an OP_REPLY carrying the limits', async () => {
    const reply = await raw.legacyHello();
    expect(raw.lastOpCode).toBe(OP_REPLY);
    expect(reply).toMatchObject({ ismaster: true, helloOk: true, ok: 1 });
    for (const field of ['minWireVersion', 'maxWireVersion', 'logicalSessionTimeoutMinutes', 'maxBsonObjectSize', 'maxMessageSizeBytes', 'maxWriteBatchSize']) {
      expect(typeof reply?.[field]).toBe('number');
    }
    expect(reply?.maxWireVersion).toBeGreaterThanOrEqual(21);
    expect(reply?.maxBsonObjectSize).toBe(16 * 1024 * 1024);
    if (t.embedded) {
      // Awaitable hello is not implemented, so the server must not advertise it.
      expect(reply).not.toHaveProperty('topologyVersion');
      expect(reply?.maxWireVersion).toBe(21);
    }
  });

  it('answers hello over OP_MSG with isWritablePrimary', async () => {
    const reply = await raw.command({ hello: 1, $db: 'admin' });
    expect(raw.lastOpCode).toBe(OP_MSG);
    expect(reply).toMatchObject({ isWritablePrimary: true, helloOk: true, ok: 1 });
  });

  it('accepts kind-1 document sequences and the same arrays in the body for insert, update and delete', async () => {
    const ns = { $db: dbName };
    expect(await raw.command({ insert: 'seq', ...ns }, 0, [['documents', [{ _id: 1 }, { _id: 2 }, { _id: 3 }]]])).toMatchObject({ n: 3, ok: 1 });
    expect(await raw.command({ insert: 'seq', documents: [{ _id: 4 }], ...ns })).toMatchObject({ n: 1, ok: 1 });
    expect(await raw.command({ update: 'seq', ...ns }, 0, [['updates', [{ q: { _id: 1 }, u: { $set: { a: 1 } } }]]])).toMatchObject({ n: 1, nModified: 1, ok: 1 });
    expect(await raw.command({ update: 'seq', updates: [{ q: { _id: 2 }, u: { $set: { a: 2 } } }], ...ns })).toMatchObject({ n: 1, nModified: 1 });
    expect(await raw.command({ delete: 'seq', ...ns }, 0, [['deletes', [{ q: { _id: 3 }, limit: 1 }]]])).toMatchObject({ n: 1, ok: 1 });
    expect(await raw.command({ delete: 'seq', deletes: [{ q: { _id: 4 }, limit: 0 }], ...ns })).toMatchObject({ n: 1, ok: 1 });
    const found = await raw.command({ find: 'seq', filter: {}, sort: { _id: 1 }, ...ns });
    expect((found?.cursor as Document).firstBatch).toEqual([
      { _id: 1, a: 1 },
      { _id: 2, a: 2 },
    ]);
  });

  it('applies moreToCome (w:0) messages without ever replying to them', async () => {
    await raw.command({ insert: 'w0', documents: [{ _id: 'unacknowledged' }], writeConcern: { w: 0 }, $db: dbName }, MSG_MORE_TO_COME);
    // The next reply on the connection must be this command's, not one for the insert.
    const count = await raw.command({ count: 'w0', $db: dbName });
    expect(count).toMatchObject({ n: 1, ok: 1 });
    expect(await raw.reply(200)).toBeNull();
  });

  it('returns cursor ids as BSON int64', async () => {
    await raw.command({ insert: 'cur', documents: Array.from({ length: 5 }, (_, i) => ({ _id: i })), $db: dbName });
    const first = await raw.command({ find: 'cur', filter: {}, batchSize: 2, $db: dbName });
    const cursor = first?.cursor as Document;
    expect(cursor.id).toBeInstanceOf(Long);
    expect((cursor.id as Long).isZero()).toBe(false);
    const more = await raw.command({ getMore: cursor.id, collection: 'cur', $db: dbName });
    expect((more?.cursor as Document).nextBatch).toHaveLength(3);
    expect((more?.cursor as Document).id).toEqual(Long.ZERO);
  });

  it('ignores the session, concern, api and tuning fields drivers attach', async () => {
    const reply = await raw.command({
      find: 'cur',
      filter: { _id: 1 },
      $db: dbName,
      readConcern: { level: 'local' },
      maxTimeMS: 5000,
      comment: 'conformance',
      hint: { _id: 1 },
      collation: { locale: 'simple' },
    });
    expect((reply?.cursor as Document).firstBatch).toEqual([{ _id: 1 }]);
  });

  it('answers an unknown command with CommandNotFound', async () => {
    expect(await raw.command({ frobnicate: 1, $db: 'admin' })).toMatchObject({
      ok: 0,
      code: 59,
      codeName: 'CommandNotFound',
      errmsg: "no such command: 'frobnicate'",
    });
  });
});
