import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import {
  BSON,
  BSONRegExp,
  BSONSymbol,
  Binary,
  Code,
  Decimal128,
  Double,
  Int32,
  Long,
  MaxKey,
  MinKey,
  ObjectId,
  Timestamp,
  UUID,
  type Document,
} from 'bson';
import { JournalCorruptError, createFileDurability } from '../../src/persistence';
import { encodeDocument, encodeMutations } from '../../src/persistence/codec';
import { JOURNAL_MAGIC, RecordType, frameRecord } from '../../src/persistence/framing';
import type { Mutation } from '../../src/storage/mutation';
import { insert, journalFiles, open, reopen, tempDir } from './helpers';

const bytes = (doc: unknown) => Buffer.from(BSON.serialize(doc as Document, { checkKeys: false })).toString('hex');

/** One document holding every BSON type, including the awkward numeric corners. */
function everyType(): Document {
  return {
    _id: new ObjectId(),
    int32Number: 42,
    int32Wrapped: new Int32(7),
    doubleFraction: 1.5,
    doubleIntegral: new Double(5),
    doubleNegZero: -0,
    doubleNaN: NaN,
    doubleInf: -Infinity,
    bigNumber: 2 ** 40,
    long: Long.fromString('9007199254740993'),
    longSmall: Long.fromNumber(3),
    decimal: Decimal128.fromString('1234567890.123456789012345678901234'),
    date: new Date('2024-03-01T10:20:30.456Z'),
    binary: new Binary(Buffer.from([0, 1, 2, 255]), 0),
    binaryUser: new Binary(Buffer.from('custom'), 0x80),
    uuid: new UUID('a3bb189e-8bf9-4888-9912-ace4e6543002'),
    regex: new BSONRegExp('^Ал', 'imsux'),
    string: 'Қазақстан — ағылшынша 😀',
    empty: '',
    bool: true,
    nil: null,
    timestamp: new Timestamp({ t: 1700000000, i: 3 }),
    min: new MinKey(),
    max: new MaxKey(),
    code: new Code('function () { return 1; }'),
    codeWithScope: new Code('x + y', { x: 1, y: new Double(2) }),
    symbol: new BSONSymbol('sym'),
    nested: { deep: { deeper: [1, 'two', { three: new Int32(3) }, [new Long(4)]] } },
    $dollar: { $set: 1, 'dotted.key': 2 },
    'a.b': 'dots in a key',
    array: [],
  };
}

describe('journal round trip', () => {
  it('recovers every mutation kind with every BSON type byte for byte', async () => {
    const dir = await tempDir();
    const doc = everyType();
    const batches: Mutation[][] = [
      [{ op: 'createCollection', db: 'hr', coll: 'people' }],
      [
        {
          op: 'createIndex',
          db: 'hr',
          coll: 'people',
          spec: {
            name: 'iin_1',
            key: { iin: 1, 'org.code': -1 },
            unique: true,
            sparse: false,
            partialFilterExpression: { active: { $eq: true }, $or: [{ a: 1 }, { b: { $gt: 2 } }] },
            expireAfterSeconds: 3600,
          },
        },
      ],
      [{ op: 'insert', db: 'hr', coll: 'people', doc }],
      [{ op: 'replace', db: 'hr', coll: 'people', doc: { ...doc, string: 'changed', long: Long.fromNumber(-1) } }],
      [
        { op: 'delete', db: 'hr', coll: 'people', id: doc._id },
        { op: 'delete', db: 'hr', coll: 'people', id: Long.fromNumber(12) },
        { op: 'delete', db: 'hr', coll: 'people', id: { compound: 'key', n: new Double(1) } },
      ],
      [{ op: 'dropIndex', db: 'hr', coll: 'people', name: 'iin_1' }],
      [{ op: 'dropCollection', db: 'hr', coll: 'people' }],
      [{ op: 'dropDatabase', db: 'hr' }],
    ];
    const { d } = await open(dir);
    for (const batch of batches) await d.append(batch);
    await d.close();

    const { recovered, warnings } = await reopen(dir);
    const sent = batches.flat();
    expect(recovered).toHaveLength(sent.length);
    expect(warnings).toEqual([]);
    recovered.forEach((m, i) => expect(bytes(m)).toBe(bytes(sent[i])));

    const back = (recovered[2] as Extract<Mutation, { op: 'insert' }>).doc;
    // Types that must come back as their own classes, not as lossy JS values.
    expect(back.long).toBeInstanceOf(Long);
    expect(back.long.toString()).toBe('9007199254740993');
    expect(back.longSmall).toBeInstanceOf(Long);
    expect(back.decimal).toBeInstanceOf(Decimal128);
    expect(back.decimal.toString()).toBe('1234567890.123456789012345678901234');
    expect(back.doubleIntegral).toBeInstanceOf(Double);
    expect(back._id).toBeInstanceOf(ObjectId);
    expect(back._id.equals(doc._id)).toBe(true);
    expect(back.date).toBeInstanceOf(Date);
    expect(back.date.getTime()).toBe(doc.date.getTime());
    expect(back.binary).toBeInstanceOf(Binary);
    expect(back.binaryUser.sub_type).toBe(0x80);
    expect(back.uuid.toHexString()).toBe(doc.uuid.toHexString());
    expect(back.regex).toEqual(new BSONRegExp('^Ал', 'imsux'));
    // Numbers that JS numbers already represent exactly come back as plain numbers.
    expect(back.int32Number).toBe(42);
    expect(back.int32Wrapped).toBe(7);
    expect(back.doubleFraction).toBe(1.5);
    expect(Object.is(back.doubleNegZero, -0)).toBe(true);
    expect(back.doubleNaN).toBeNaN();
    expect(back.bigNumber).toBe(2 ** 40);
    expect(back.nested.deep.deeper[2].three).toBe(3);
    expect(back.codeWithScope.scope).toEqual({ x: 1, y: new Double(2) });
    expect(back.$dollar).toEqual({ $set: 1, 'dotted.key': 2 });
    expect(back['a.b']).toBe('dots in a key');
  });

  it('starts empty on a fresh directory and keeps appending after a restart', async () => {
    const dir = await tempDir();
    const first = await open(dir);
    expect(first.recovered).toEqual([]);
    await first.d.append([insert(1)]);
    await first.d.close();
    const second = await open(dir);
    expect(second.recovered).toEqual([insert(1)]);
    await second.d.append([insert(2)]);
    await second.d.close();
    expect((await reopen(dir)).recovered).toEqual([insert(1), insert(2)]);
    expect(await journalFiles(dir)).toEqual(['journal-0000000000.log']);
  });

  it('refuses to append before recovery and after close', async () => {
    const dir = await tempDir();
    const d = await createFileDurability(dir, { log: () => undefined });
    await expect(d.append([insert(1)])).rejects.toThrow(/recover\(\) must complete/);
    await d.recover();
    await d.close();
    await expect(d.append([insert(1)])).rejects.toThrow(/closed/);
  });
});

/** Writes `n` appends of three mutations each and returns the journal's bytes and record ends. */
async function writeJournal(n: number): Promise<{ file: Buffer; ends: number[]; batches: Mutation[][] }> {
  const dir = await tempDir();
  const { d } = await open(dir);
  const batches: Mutation[][] = [];
  for (let i = 0; i < n; i++) {
    const batch = [insert(i * 3, { pad: 'x'.repeat(i * 7) }), insert(i * 3 + 1), { op: 'delete', db: 'hr', coll: 'people', id: i * 3 } as Mutation];
    batches.push(batch);
    await d.append(batch);
  }
  await d.close();
  const file = await fs.readFile(path.join(dir, 'journal-0000000000.log'));
  const ends: number[] = [];
  let end = file.length;
  for (let i = n - 1; i >= 0; i--) {
    ends.unshift(end);
    end -= frameRecord(RecordType.Mutations, encodeMutations(batches[i])).length;
  }
  return { file, ends: [end, ...ends], batches };
}

async function recoverFrom(file: Buffer) {
  const dir = await tempDir();
  const journal = path.join(dir, 'journal-0000000000.log');
  await fs.writeFile(journal, file);
  const { d, recovered, warnings } = await open(dir);
  const sizeAfterRecovery = (await fs.stat(journal)).size;
  return { d, recovered, warnings, sizeAfterRecovery };
}

describe('torn and corrupt journals', () => {
  it('replays exactly the whole records before any truncation point and trims the rest', async () => {
    const { file, ends, batches } = await writeJournal(12);
    const headerEnd = ends[0];
    const cuts = new Set<number>([headerEnd, file.length - 1, file.length]);
    for (const e of ends) [e - 1, e, e + 1, e + 5, e + 9].forEach((c) => cuts.add(c));
    for (let i = 0; i < 40; i++) cuts.add(headerEnd + Math.floor(Math.random() * (file.length - headerEnd)));

    for (const cut of [...cuts].filter((c) => c >= headerEnd && c <= file.length)) {
      const whole = ends.filter((e) => e <= cut).length - 1;
      const { d, recovered, warnings, sizeAfterRecovery } = await recoverFrom(file.subarray(0, cut));
      expect(recovered).toEqual(batches.slice(0, whole).flat());
      expect(sizeAfterRecovery).toBe(ends[whole]);
      expect(warnings.length).toBe(cut === ends[whole] ? 0 : 1);
      // The trimmed journal takes new records where the good ones end.
      await d.append([insert(1000)]);
      await d.close();
      const again = await reopen(d.dataDir);
      expect(again.recovered).toEqual([...batches.slice(0, whole).flat(), insert(1000)]);
      expect(again.warnings).toEqual([]);
    }
  });

  it('recreates a journal whose header was never completed', async () => {
    const { file, ends } = await writeJournal(1);
    for (const cut of [0, 3, 8, ends[0] - 1]) {
      const { d, recovered } = await recoverFrom(file.subarray(0, cut));
      expect(recovered).toEqual([]);
      await d.append([insert(5)]);
      await d.close();
      expect((await reopen(d.dataDir)).recovered).toEqual([insert(5)]);
    }
  });

  it('drops a record whose CRC fails, and every record after it', async () => {
    const { file, ends, batches } = await writeJournal(6);
    // Last record damaged: the five before it survive.
    const lastDamaged = Buffer.from(file);
    lastDamaged[ends[5] + 20] ^= 0x40;
    let r = await recoverFrom(lastDamaged);
    expect(r.recovered).toEqual(batches.slice(0, 5).flat());
    expect(r.warnings.join()).toMatch(/CRC mismatch/);
    await r.d.close();

    // A damaged middle record ends the valid prefix: replay never skips over a hole.
    const middleDamaged = Buffer.from(file);
    middleDamaged[ends[2] + 12] ^= 0x01;
    r = await recoverFrom(middleDamaged);
    expect(r.recovered).toEqual(batches.slice(0, 2).flat());
    expect(r.sizeAfterRecovery).toBe(ends[2]);
    await r.d.close();

    // A damaged length field is caught too (the CRC then covers the wrong bytes).
    const lengthDamaged = Buffer.from(file);
    lengthDamaged.writeUInt32LE(lengthDamaged.readUInt32LE(ends[4]) - 1, ends[4]);
    r = await recoverFrom(lengthDamaged);
    expect(r.recovered).toEqual(batches.slice(0, 4).flat());
    await r.d.close();
  });

  it('refuses to start when an older journal, not the newest, is damaged', async () => {
    // The writer opens journal N+1 only after journal N's last record is fsync'd, so a torn
    // record in a journal that has a successor is damage, not a crash artefact.
    const { file } = await writeJournal(3);
    const dir = await tempDir();
    await fs.writeFile(path.join(dir, 'journal-0000000000.log'), file.subarray(0, file.length - 2));
    const nextHeader = frameRecord(RecordType.Header, encodeDocument({ kind: 'journal', format: 1, gen: 1 }));
    await fs.writeFile(path.join(dir, 'journal-0000000001.log'), Buffer.concat([JOURNAL_MAGIC, nextHeader]));
    const d = await createFileDurability(dir, { log: () => undefined });
    await expect(d.recover()).rejects.toBeInstanceOf(JournalCorruptError);
    await d.close();

    // Undamaged, the same pair replays fine.
    await fs.writeFile(path.join(dir, 'journal-0000000000.log'), file);
    const { recovered } = await reopen(dir);
    expect(recovered).toHaveLength(9);
  });
});

describe('group commit', () => {
  it('batches concurrent appends into fewer fsyncs and resolves each only once its bytes are synced', async () => {
    const dir = await tempDir();
    const { d } = await open(dir);
    const journal = path.join(dir, 'journal-0000000000.log');
    const start = (await fs.stat(journal)).size;
    const n = 300;
    const batches = Array.from({ length: n }, (_, i) => [insert(i, { v: 'y'.repeat(i % 50) })]);
    const ends: number[] = [];
    let offset = start;
    for (const b of batches) {
      offset += frameRecord(RecordType.Mutations, encodeMutations(b)).length;
      ends.push(offset);
    }
    // Observe what is on disk at the moment each fsync completes.
    const handleProto = Object.getPrototypeOf(await fs.open(journal, 'r').then(async (h) => (await h.close(), h)));
    const realSync = handleProto.datasync as (this: unknown) => Promise<void>;
    let syncedUpTo = start;
    const spy = jest.spyOn(handleProto, 'datasync').mockImplementation(async function (this: unknown) {
      await realSync.call(this);
      syncedUpTo = (await fs.stat(journal)).size;
    });
    const violations: number[] = [];
    try {
      await Promise.all(
        batches.map((b, i) =>
          d.append(b).then(() => {
            if (syncedUpTo < ends[i]) violations.push(i);
          }),
        ),
      );
    } finally {
      spy.mockRestore();
    }
    expect(violations).toEqual([]);
    const { fsyncs, appends } = d.stats();
    expect(appends).toBe(n);
    expect(fsyncs).toBeGreaterThanOrEqual(1);
    expect(fsyncs).toBeLessThan(n / 2);
    await d.close();
    expect((await reopen(dir)).recovered).toEqual(batches.flat());
  });
});
