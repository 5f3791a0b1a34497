import type { Document } from 'bson';
import { MessageReader, FramingError } from '../src/wire/framing';
import { MSG_MORE_TO_COME, buildOpMsgRequest } from '../src/wire/messages';
import { startEmbeddedMongo, type EmbeddedMongo } from '../src';
import { startWithClient } from './helpers';
import { RawClient } from './raw-client';

describe('MessageReader', () => {
  const msg = (n: number) => buildOpMsgRequest(n, { ping: 1, $db: 'admin', pad: 'x'.repeat(n * 10) });

  it('reassembles messages split across chunks at every byte boundary', () => {
    const whole = Buffer.concat([msg(1), msg(2), msg(3)]);
    for (let cut = 1; cut < whole.length; cut += 7) {
      const reader = new MessageReader(1 << 20);
      const out = [...reader.push(whole.subarray(0, cut)), ...reader.push(whole.subarray(cut))];
      expect(out.map((m) => m.readInt32LE(4))).toEqual([1, 2, 3]);
      expect(Buffer.concat(out).equals(whole)).toBe(true);
      expect(reader.pendingBytes).toBe(0);
    }
  });

  it('handles a message arriving one byte at a time, including the length prefix', () => {
    const whole = msg(4);
    const reader = new MessageReader(1 << 20);
    const out: Buffer[] = [];
    for (const b of whole) out.push(...reader.push(Buffer.from([b])));
    expect(out).toHaveLength(1);
    expect(out[0].equals(whole)).toBe(true);
  });

  it('rejects lengths below the header size and above the maximum', () => {
    const tiny = Buffer.alloc(16);
    tiny.writeInt32LE(8, 0);
    expect(() => new MessageReader(1000).push(tiny)).toThrow(FramingError);
    const huge = Buffer.alloc(16);
    huge.writeInt32LE(5000, 0);
    expect(() => new MessageReader(1000).push(huge)).toThrow(FramingError);
  });
});

describe('wire protocol against a live server', () => {
  let server: EmbeddedMongo;
  beforeAll(async () => {
    server = await startEmbeddedMongo({ port: 0 });
  });
  afterAll(async () => {
    await server.stop();
  });

  it('answers the legacy OP_QUERY ismaster handshake with OP_REPLY', async () => {
    const c = await RawClient.connect(server.port);
    const reply = await c.legacyHello();
    expect(reply).toMatchObject({ ismaster: true, helloOk: true, maxWireVersion: 21, logicalSessionTimeoutMinutes: 30, ok: 1 });
    expect(reply).not.toHaveProperty('topologyVersion');
    c.socket.destroy();
  });

  it('accepts writes as kind-1 document sequences and in the body', async () => {
    const c = await RawClient.connect(server.port);
    const seq = await c.command({ insert: 'w', $db: 'wire', ordered: true }, 0, [['documents', [{ _id: 1 }, { _id: 2 }]]]);
    expect(seq).toMatchObject({ n: 2, ok: 1 });
    const body = await c.command({ insert: 'w', $db: 'wire', documents: [{ _id: 3 }] });
    expect(body).toMatchObject({ n: 1, ok: 1 });
    const found = await c.command({ find: 'w', $db: 'wire', filter: {} });
    expect((found?.cursor as Document).firstBatch).toEqual([{ _id: 1 }, { _id: 2 }, { _id: 3 }]);
    c.socket.destroy();
  });

  it('never replies to moreToCome messages but still applies them', async () => {
    const c = await RawClient.connect(server.port);
    await c.command({ insert: 'm', $db: 'wire', documents: [{ _id: 'fire-and-forget' }] }, MSG_MORE_TO_COME);
    // The next reply must belong to this ping, not to the unacknowledged insert.
    const ping = await c.command({ ping: 1, $db: 'admin', marker: 1 });
    expect(ping).toEqual({ ok: 1 });
    const count = await c.command({ count: 'm', $db: 'wire' });
    expect(count).toMatchObject({ n: 1 });
    c.socket.destroy();
  });

  it('answers unknown commands with CommandNotFound', async () => {
    const c = await RawClient.connect(server.port);
    expect(await c.command({ frobnicate: 1, $db: 'admin' })).toEqual({
      ok: 0,
      errmsg: "no such command: 'frobnicate'",
      code: 59,
      codeName: 'CommandNotFound',
    });
    c.socket.destroy();
  });

  it('replies with an error to invalid BSON and keeps the connection usable', async () => {
    const c = await RawClient.connect(server.port);
    const good = buildOpMsgRequest(9, { ping: 1, $db: 'admin' });
    const bad = Buffer.from(good);
    bad[25] = 0x20; // the type byte of the body's first field: no BSON type has this number
    c.socket.write(bad);
    const err = await c.reply();
    expect(err).toMatchObject({ ok: 0 });
    expect(await c.command({ ping: 1, $db: 'admin' })).toEqual({ ok: 1 });
    c.socket.destroy();
  });

  it('closes a connection that announces an oversized message, and serves others meanwhile', async () => {
    const { server: other, client, close } = await startWithClient();
    const bad = await RawClient.connect(other.port);
    const header = Buffer.alloc(16);
    header.writeInt32LE(100_000_000, 0);
    bad.socket.write(header);
    expect(await bad.closed()).toBe(true);
    await expect(client.db('x').command({ ping: 1 })).resolves.toEqual({ ok: 1 });
    await close();
  });

  it('survives a client that disconnects in the middle of a message', async () => {
    const c = await RawClient.connect(server.port);
    const msg = buildOpMsgRequest(3, { insert: 'half', $db: 'wire', documents: [{ _id: 1, big: 'y'.repeat(10_000) }] });
    c.socket.write(msg.subarray(0, msg.length / 2));
    c.socket.destroy();
    const other = await RawClient.connect(server.port);
    expect(await other.command({ count: 'half', $db: 'wire' })).toMatchObject({ n: 0, ok: 1 });
    other.socket.destroy();
  });

  it('rejects a document over 16 MiB with an error, not a crash', async () => {
    const c = await RawClient.connect(server.port);
    const reply = await c.command({ insert: 'huge', $db: 'wire' }, 0, [['documents', [{ _id: 1, blob: 'z'.repeat(17 * 1024 * 1024) }]]]);
    expect(reply).toMatchObject({ ok: 0, code: 10334 });
    expect(await c.command({ ping: 1, $db: 'admin' })).toEqual({ ok: 1 });
    c.socket.destroy();
  });

  it('refuses garbage opcodes with an error reply', async () => {
    const c = await RawClient.connect(server.port);
    const header = Buffer.alloc(20);
    header.writeInt32LE(20, 0);
    header.writeInt32LE(1, 4);
    header.writeInt32LE(2010, 12);
    c.socket.write(header);
    expect(await c.reply()).toMatchObject({ ok: 0 });
    c.socket.destroy();
  });
});
