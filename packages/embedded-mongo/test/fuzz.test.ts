import type { Document } from 'bson';
import { MAX_MESSAGE_SIZE, buildOpMsgRequest } from '../src/wire/messages';
import { startWithClient } from './helpers';
import { RawClient } from './raw-client';

/** mulberry32: a tiny seeded PRNG, so every run sends exactly the same inputs. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CASES = 240;
const PARALLEL = 24;

describe('fuzzing the wire protocol', () => {
  it('survives malformed input of every kind and keeps answering a normal client correctly', async () => {
    const ctx = await startWithClient();
    const rand = prng(20240611);
    const int = (n: number) => Math.floor(rand() * n);
    const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));
    const valid = (): Buffer =>
      buildOpMsgRequest(int(1000), { insert: 'fuzzed', $db: 'fuzz', documents: [{ n: int(100), s: 'x'.repeat(int(64)) }] } as Document);
    const header = (length: number, opCode: number) => {
      const h = Buffer.alloc(16);
      h.writeInt32LE(length, 0);
      h.writeInt32LE(int(1 << 30), 4);
      h.writeInt32LE(opCode, 12);
      return h;
    };

    const kinds: (() => { data: Buffer; hangUp: boolean })[] = [
      // Pure noise.
      () => ({ data: bytes(1 + int(300)), hangUp: false }),
      // A valid message cut short, then the client goes away mid-message.
      () => {
        const m = valid();
        return { data: m.subarray(0, 1 + int(m.length - 1)), hangUp: true };
      },
      // A header announcing more than maxMessageSizeBytes, or a negative or tiny length.
      () => ({ data: header([MAX_MESSAGE_SIZE + 1 + int(1e6), -int(1e6), int(16)][int(3)], 2013), hangUp: false }),
      // A correctly framed message with a random body under a known or unknown opCode.
      () => {
        const body = bytes(int(200));
        return { data: Buffer.concat([header(16 + body.length, [2013, 2004, 2012, int(5000)][int(4)]), body]), hangUp: false };
      },
      // A valid message with a few bytes flipped after the length prefix.
      () => {
        const m = Buffer.from(valid());
        for (let i = 0, flips = 1 + int(4); i < flips; i++) m[4 + int(m.length - 4)] = int(256);
        return { data: m, hangUp: false };
      },
    ];

    const port = ctx.server.port;
    let repliesOrCloses = 0;
    try {
      for (let done = 0; done < CASES; done += PARALLEL) {
        const batch = Array.from({ length: PARALLEL }, () => kinds[int(kinds.length)]());
        await Promise.all(
          batch.map(async ({ data, hangUp }) => {
            const c = await RawClient.connect(port);
            c.socket.write(data);
            if (hangUp) return c.destroy();
            // Either an error reply or a closed connection is fine; silence (waiting for more bytes) is too.
            if ((await c.reply(60)) !== null || c.socket.destroyed) repliesOrCloses++;
            c.destroy();
          }),
        );
        // The established driver connection keeps working between rounds.
        await expect(ctx.client.db('admin').command({ ping: 1 })).resolves.toMatchObject({ ok: 1 });
      }
      // Most garbage must be answered or refused rather than silently swallowed.
      expect(repliesOrCloses).toBeGreaterThan(CASES / 3);

      const c = ctx.client.db('after').collection<{ _id: number; v: string }>('check');
      await c.insertMany(Array.from({ length: 50 }, (_, i) => ({ _id: i, v: `v${i}` })));
      expect(await c.countDocuments({ _id: { $gte: 25 } })).toBe(25);
      expect(await c.findOne({ _id: 7 })).toEqual({ _id: 7, v: 'v7' });
      // Whatever the fuzzed inserts stored, the collection they target is consistent: count and scan agree.
      const fuzzed = ctx.client.db('fuzz').collection('fuzzed');
      expect((await fuzzed.find().toArray()).length).toBe(await fuzzed.countDocuments());
    } finally {
      await ctx.close();
    }
  });
});
