import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Mutation } from '../storage/mutation';
import { decodeDocument, decodeMutations, encodeDocument, encodeMutations } from './codec';
import { RecordType, SNAPSHOT_MAGIC, frameRecord, scanFile, writeFully } from './framing';
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

/** Payload size at which the dump is cut into another record, so no record needs a huge buffer. */
const CHUNK_BYTES = 4 * 1024 * 1024;

export class SnapshotCorruptError extends Error {
  constructor(file: string, reason: string) {
    super(`snapshot ${file} is damaged (${reason}); refusing to start rather than lose data`);
    this.name = 'SnapshotCorruptError';
  }
}

/**
 * Encodes the dump right away (synchronously) into framed records. That copy is what gets
 * written, so the live documents the dump refers to may change while the file is written.
 */
export function encodeSnapshot(gen: number, mutations: readonly Mutation[]): Buffer[] {
  const records: Buffer[] = [
    SNAPSHOT_MAGIC,
    frameRecord(RecordType.Header, encodeDocument({ kind: 'snapshot', format: 1, gen })),
  ];
  let chunk: Buffer[] = [];
  let chunkBytes = 0;
  const flush = () => {
    if (chunk.length === 0) return;
    records.push(frameRecord(RecordType.Mutations, Buffer.concat(chunk, chunkBytes)));
    chunk = [];
    chunkBytes = 0;
  };
  for (const mutation of mutations) {
    const bytes = encodeMutations([mutation]);
    chunk.push(bytes);
    chunkBytes += bytes.length;
    if (chunkBytes >= CHUNK_BYTES) flush();
  }
  flush();
  const dataRecords = records.length - 2;
  records.push(frameRecord(RecordType.End, encodeDocument({ mutations: mutations.length, records: dataRecords })));
  return records;
}

/** temp file, fsync, rename over the old snapshot, fsync the directory. */
export async function installSnapshot(dir: string, records: Buffer[]): Promise<void> {
  const tmp = path.join(dir, SNAPSHOT_TMP);
  const handle = await fs.open(tmp, 'w');
  try {
    let position = 0;
    for (const record of records) {
      await writeFully(handle, record, position);
      position += record.length;
    }
    await handle.sync();
  } catch (err) {
    await handle.close().catch(() => undefined);
    await fs.rm(tmp, { force: true });
    throw err;
  }
  await handle.close();
  await fs.rename(tmp, path.join(dir, SNAPSHOT_FILE));
  await fsyncDir(dir);
}

export interface LoadedSnapshot {
  gen: number;
  mutations: Mutation[];
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
    return { gen: header.gen, mutations };
  } finally {
    await handle.close();
  }
}
