import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { crc32 } from 'node:zlib';
import type { Document } from 'bson';
import type { Mutation } from '../storage/mutation';
import { decodeDocument, decodeMutations, encodeDocument, encodeInto } from './codec';
import { RECORD_HEADER_BYTES, RecordType, SNAPSHOT_MAGIC, frameRecord, scanFile, writeFully } from './framing';
import { fsyncDir } from './journal';

/**
 * A snapshot is the whole state as mutations (createCollection, createIndex, insert, ...), in the
 * same record framing as the journal, between a header naming its generation and a trailer
 * with counts. It only ever appears under its final name by an atomic rename of a fully written
 * and fsync'd temp file, so a snapshot that fails to read back whole is real damage, not a crash
 * artefact, and recovery refuses to guess.
 */

export const SNAPSHOT_FILE = 'snapshot.bson';
export const SNAPSHOT_TMP = 'snapshot.bson.tmp';

/** Payload size of one record of the snapshot, so no record needs a huge buffer. */
const CHUNK_BYTES = 4 * 1024 * 1024;

/** Longest stretch of encoding before the event loop gets a turn. */
const SLICE_MS = 10;
/** Mutations encoded between two looks at the clock. */
const CLOCK_EVERY = 256;

export class SnapshotCorruptError extends Error {
  constructor(file: string, reason: string) {
    super(`snapshot ${file} is damaged (${reason}); refusing to start rather than lose data`);
    this.name = 'SnapshotCorruptError';
  }
}

export interface WriteSnapshotOptions {
  /** Longest stretch of synchronous encoding between two turns of the event loop (default 10 ms). */
  sliceMs?: number;
}

/**
 * Writes the snapshot of generation `gen` holding `mutations` (the whole state, read once, in
 * order): temp file, fsync, rename over the old snapshot, fsync the directory.
 *
 * The dump holds the live documents themselves, not copies. That is sound because the engine never
 * changes a stored document in place (an update stores a new object; see storage/update.ts), so
 * what the dump references is the state at the moment it was taken, however long writing takes.
 *
 * Encoding streams, in slices: mutations are serialized straight into one reusable record buffer
 * (nothing per document lives long enough to be promoted to V8's old generation, which would bring
 * full garbage collections over a heap of millions of documents), a full buffer is framed in place
 * and written, and the event loop gets a turn at least every `sliceMs`. Encoding the whole dump
 * in one synchronous step blocked the server for about 2 s per 500,000 small documents and 30 s
 * for 2,000,000, long enough for a driver's heartbeat to time out, clear its pool and retry writes
 * (see bench/compaction.ts). Returns the snapshot's size and how many mutations it holds.
 */
export async function writeSnapshot(dir: string, gen: number, mutations: Iterable<Mutation>, opts: WriteSnapshotOptions = {}): Promise<{ bytes: number; mutations: number }> {
  const sliceMs = opts.sliceMs ?? SLICE_MS;
  const tmp = path.join(dir, SNAPSHOT_TMP);
  const handle = await fs.open(tmp, 'w');
  let position = 0;
  let count = 0;
  try {
    const write = async (bytes: Buffer) => {
      await writeFully(handle, bytes, position);
      position += bytes.length;
    };
    await write(SNAPSHOT_MAGIC);
    await write(frameRecord(RecordType.Header, encodeDocument({ kind: 'snapshot', format: 1, gen })));

    // One record: 8 header bytes (length, CRC) and the type byte, then the payload.
    const payloadStart = RECORD_HEADER_BYTES + 1;
    const record = Buffer.allocUnsafe(payloadStart + CHUNK_BYTES);
    let end = payloadStart;
    let dataRecords = 0;
    const flush = async () => {
      if (end === payloadStart) return;
      record[RECORD_HEADER_BYTES] = RecordType.Mutations;
      const body = record.subarray(RECORD_HEADER_BYTES, end);
      record.writeUInt32LE(body.length, 0);
      record.writeUInt32LE(crc32(body), 4);
      await write(record.subarray(0, end));
      dataRecords++;
      end = payloadStart;
    };

    let sliceStart = performance.now();
    for (const mutation of mutations) {
      const m = mutation as unknown as Document;
      count++;
      let next = encodeInto(m, record, end);
      if (next < 0 && end > payloadStart) {
        await flush();
        next = encodeInto(m, record, end);
      }
      if (next < 0) {
        // Larger than a whole record buffer: a record of its own (encodeDocument also raises any real encoding error).
        await write(frameRecord(RecordType.Mutations, encodeDocument(m)));
        dataRecords++;
      } else {
        end = next;
      }
      if (count % CLOCK_EVERY === 0 && performance.now() - sliceStart >= sliceMs) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        sliceStart = performance.now();
      }
    }
    await flush();
    await write(frameRecord(RecordType.End, encodeDocument({ mutations: count, records: dataRecords })));
    await handle.sync();
  } catch (err) {
    await handle.close().catch(() => undefined);
    await fs.rm(tmp, { force: true });
    throw err;
  }
  await handle.close();
  await fs.rename(tmp, path.join(dir, SNAPSHOT_FILE));
  await fsyncDir(dir);
  return { bytes: position, mutations: count };
}

export interface LoadedSnapshot {
  gen: number;
  mutations: Mutation[];
  /** The file's size. */
  bytes: number;
}

export async function readSnapshot(dir: string): Promise<LoadedSnapshot | null> {
  const file = path.join(dir, SNAPSHOT_FILE);
  let handle;
  try {
    handle = await fs.open(file, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    const scan = await scanFile(handle, SNAPSHOT_MAGIC);
    if (!scan.magicOk) throw new SnapshotCorruptError(file, scan.stopReason ?? 'not a snapshot');
    if (scan.stopReason) throw new SnapshotCorruptError(file, scan.stopReason);
    const { records } = scan;
    if (records.length < 2 || records[0].type !== RecordType.Header) {
      throw new SnapshotCorruptError(file, 'missing header');
    }
    const last = records[records.length - 1];
    if (last.type !== RecordType.End) throw new SnapshotCorruptError(file, 'missing trailer');
    const header = decodeDocument(records[0].payload);
    if (header.kind !== 'snapshot' || typeof header.gen !== 'number') {
      throw new SnapshotCorruptError(file, 'bad header');
    }
    const mutations: Mutation[] = [];
    for (const record of records.slice(1, -1)) {
      if (record.type !== RecordType.Mutations) throw new SnapshotCorruptError(file, `unexpected record type ${record.type}`);
      for (const m of decodeMutations(record.payload)) mutations.push(m);
    }
    const trailer = decodeDocument(last.payload);
    if (trailer.mutations !== mutations.length || trailer.records !== records.length - 2) {
      throw new SnapshotCorruptError(file, 'trailer counts do not match its contents');
    }
    return { gen: header.gen, mutations, bytes: scan.fileLength };
  } finally {
    await handle.close();
  }
}
