import { crc32 } from 'node:zlib';
import type { FileHandle } from 'node:fs/promises';

/**
 * On-disk record framing shared by the journal and the snapshot.
 *
 *   file   := magic(8) record*
 *   record := bodyLength:u32le crc32(body):u32le body
 *   body   := type:u8 payload
 *
 * The length comes first so a reader knows how much to read; the CRC covers the type byte and the
 * payload, so a record whose bytes were only partly written (crash mid-write, or blocks persisted
 * out of order by the disk) fails the check and is treated as never written. The first record that
 * does not check out ends the valid part of a file: everything from there on is discarded, which is
 * what makes replay yield a prefix of whole records.
 */

export const RECORD_HEADER_BYTES = 8;
export const MAGIC_BYTES = 8;
export const JOURNAL_MAGIC = Buffer.from('KZMJRNL1', 'latin1');
export const SNAPSHOT_MAGIC = Buffer.from('KZMSNAP1', 'latin1');

/** A body this large is never written (BSON caps one document at 16 MiB); reading one means garbage. */
export const MAX_BODY_BYTES = 1024 * 1024 * 1024;

export enum RecordType {
  /** BSON document describing the file (kind, generation). Always the first record. */
  Header = 1,
  /** Concatenated BSON documents, one per Mutation; one record is one atomic unit of replay. */
  Mutations = 2,
  /** Snapshot trailer: BSON document with counts. A snapshot without it is incomplete. */
  End = 3,
}

export function frameRecord(type: RecordType, payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(RECORD_HEADER_BYTES + 1 + payload.length);
  out[RECORD_HEADER_BYTES] = type;
  payload.copy(out, RECORD_HEADER_BYTES + 1);
  const body = out.subarray(RECORD_HEADER_BYTES);
  out.writeUInt32LE(body.length, 0);
  out.writeUInt32LE(crc32(body), 4);
  return out;
}

export interface ScannedRecord {
  type: number;
  payload: Buffer;
  /** Byte offset of the record's first header byte. */
  start: number;
  /** Byte offset just past the record. */
  end: number;
}

export interface ScanResult {
  records: ScannedRecord[];
  /** True when the file starts with the expected magic. */
  magicOk: boolean;
  /** Offset just past the last valid record (or the magic); the file's good length. */
  validLength: number;
  /** Total size of the file as read. */
  fileLength: number;
  /** Why scanning stopped before the end of the file, when it did. */
  stopReason?: string;
}

const READ_CHUNK = 4 * 1024 * 1024;

/**
 * Reads every valid record of a file, stopping at the first one that is torn or fails its CRC.
 * Streams the file in chunks so a large snapshot never needs one giant buffer; each payload is
 * copied out so decoded values (Binary keeps a view of its source) don't pin the read buffers.
 */
export async function scanFile(handle: FileHandle, magic: Buffer): Promise<ScanResult> {
  const { size } = await handle.stat();
  const result: ScanResult = { records: [], magicOk: false, validLength: 0, fileLength: size };
  if (size < MAGIC_BYTES) {
    if (size > 0) result.stopReason = 'file shorter than its magic';
    return result;
  }
  const head = Buffer.alloc(MAGIC_BYTES);
  await readExactly(handle, head, 0);
  if (!head.equals(magic)) {
    result.stopReason = 'bad magic';
    return result;
  }
  result.magicOk = true;
  result.validLength = MAGIC_BYTES;

  let buf = Buffer.alloc(0);
  let bufStart = MAGIC_BYTES; // file offset of buf[0]
  let filePos = MAGIC_BYTES; // next file offset to read
  const ensure = async (need: number): Promise<boolean> => {
    // Makes buf hold at least `need` bytes from bufStart, unless the file ends first.
    while (buf.length < need && filePos < size) {
      const want = Math.min(Math.max(READ_CHUNK, need - buf.length), size - filePos);
      const chunk = Buffer.allocUnsafe(want);
      await readExactly(handle, chunk, filePos);
      filePos += want;
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
    }
    return buf.length >= need;
  };

  for (;;) {
    if (!(await ensure(RECORD_HEADER_BYTES))) {
      if (buf.length > 0) result.stopReason = `torn record header at offset ${bufStart}`;
      break;
    }
    const bodyLength = buf.readUInt32LE(0);
    const expectedCrc = buf.readUInt32LE(4);
    if (bodyLength < 1 || bodyLength > MAX_BODY_BYTES) {
      result.stopReason = `implausible record length ${bodyLength} at offset ${bufStart}`;
      break;
    }
    if (!(await ensure(RECORD_HEADER_BYTES + bodyLength))) {
      result.stopReason = `torn record at offset ${bufStart}`;
      break;
    }
    const body = buf.subarray(RECORD_HEADER_BYTES, RECORD_HEADER_BYTES + bodyLength);
    if (crc32(body) !== expectedCrc) {
      result.stopReason = `CRC mismatch in record at offset ${bufStart}`;
      break;
    }
    const total = RECORD_HEADER_BYTES + bodyLength;
    result.records.push({
      type: body[0],
      payload: Buffer.from(body.subarray(1)),
      start: bufStart,
      end: bufStart + total,
    });
    bufStart += total;
    result.validLength = bufStart;
    buf = buf.subarray(total);
  }
  return result;
}

async function readExactly(handle: FileHandle, target: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < target.length) {
    const { bytesRead } = await handle.read(target, done, target.length - done, position + done);
    if (bytesRead === 0) throw new Error(`unexpected end of file at offset ${position + done}`);
    done += bytesRead;
  }
}

/**
 * Writes all of `data` at an explicit offset (never the handle's implicit position, which a
 * handle opened with r+ to continue a journal would have at 0); short writes are retried.
 */
export async function writeFully(handle: FileHandle, data: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await handle.write(data, done, data.length - done, position + done);
    done += bytesWritten;
  }
}
