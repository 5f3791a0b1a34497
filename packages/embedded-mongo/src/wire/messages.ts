import { Long, deserialize, serialize, type Document } from 'bson';
import { HEADER_SIZE } from './framing';

export const OP_REPLY = 1;
export const OP_QUERY = 2004;
export const OP_COMPRESSED = 2012;
export const OP_MSG = 2013;

export const MSG_CHECKSUM_PRESENT = 1 << 0;
export const MSG_MORE_TO_COME = 1 << 1;
export const MSG_EXHAUST_ALLOWED = 1 << 16;
/** Bits 0-15 must be understood; anything set there other than these two is an error. */
const KNOWN_REQUIRED_BITS = MSG_CHECKSUM_PRESENT | MSG_MORE_TO_COME;

export const MAX_BSON_OBJECT_SIZE = 16 * 1024 * 1024;
export const MAX_MESSAGE_SIZE = 48_000_000;

/** A complete, well-formed message whose body could not be understood; the sender gets an error reply. */
export class ProtocolError extends Error {
  constructor(
    message: string,
    readonly code = 2,
    readonly codeName = 'BadValue',
  ) {
    super(message);
  }
}

export interface Header {
  length: number;
  requestId: number;
  responseTo: number;
  opCode: number;
}

export interface CommandRequest {
  header: Header;
  kind: 'query' | 'msg';
  /** Database name the command targets. */
  db: string;
  command: Document;
  /** OP_MSG moreToCome: the client does not want a reply. */
  moreToCome: boolean;
}

/**
 * Deserialization keeps int64 as Long (so it round-trips) while int32 and double become numbers.
 */
const DESERIALIZE_OPTIONS = { promoteLongs: false, promoteValues: true, promoteBuffers: false, bsonRegExp: false } as const;

export function readHeader(msg: Buffer): Header {
  return {
    length: msg.readInt32LE(0),
    requestId: msg.readInt32LE(4),
    responseTo: msg.readInt32LE(8),
    opCode: msg.readInt32LE(12),
  };
}

function readDocument(buf: Buffer, at: number, end: number): { doc: Document; next: number } {
  if (at + 5 > end) throw new ProtocolError('truncated BSON document', 22, 'InvalidBSON');
  const size = buf.readInt32LE(at);
  if (size < 5 || at + size > end) throw new ProtocolError(`invalid BSON document length ${size}`, 22, 'InvalidBSON');
  if (size > MAX_BSON_OBJECT_SIZE + 16 * 1024) {
    throw new ProtocolError(`BSON document of ${size} bytes exceeds the maximum of ${MAX_BSON_OBJECT_SIZE}`, 10334, 'BSONObjectTooLarge');
  }
  try {
    return { doc: deserialize(buf.subarray(at, at + size), DESERIALIZE_OPTIONS), next: at + size };
  } catch (err) {
    throw new ProtocolError(`invalid BSON: ${err instanceof Error ? err.message : String(err)}`, 22, 'InvalidBSON');
  }
}

function readCString(buf: Buffer, at: number, end: number): { value: string; next: number } {
  const zero = buf.indexOf(0, at);
  if (zero < 0 || zero >= end) throw new ProtocolError('unterminated C string');
  return { value: buf.toString('utf8', at, zero), next: zero + 1 };
}

/** Parses OP_QUERY (the legacy handshake) or OP_MSG into a command. */
export function parseMessage(msg: Buffer): CommandRequest {
  const header = readHeader(msg);
  if (header.opCode === OP_MSG) return parseOpMsg(msg, header);
  if (header.opCode === OP_QUERY) return parseOpQuery(msg, header);
  if (header.opCode === OP_COMPRESSED) throw new ProtocolError('compression is not supported', 2, 'BadValue');
  throw new ProtocolError(`unsupported opCode ${header.opCode}`, 2, 'BadValue');
}

function parseOpQuery(msg: Buffer, header: Header): CommandRequest {
  let at = HEADER_SIZE + 4;
  const ns = readCString(msg, at, msg.length);
  at = ns.next + 8;
  const { doc } = readDocument(msg, at, msg.length);
  const dot = ns.value.indexOf('.');
  const db = dot >= 0 ? ns.value.slice(0, dot) : ns.value;
  const collection = dot >= 0 ? ns.value.slice(dot + 1) : '';
  if (collection !== '$cmd') throw new ProtocolError(`OP_QUERY is only supported for commands, not on ${ns.value}`, 5739101, 'Location5739101');
  // Legacy drivers may wrap the command as { $query: {...}, $readPreference: ... }.
  const command = doc.$query && typeof doc.$query === 'object' ? (doc.$query as Document) : doc;
  return { header, kind: 'query', db, command, moreToCome: false };
}

function parseOpMsg(msg: Buffer, header: Header): CommandRequest {
  if (msg.length < HEADER_SIZE + 5) throw new ProtocolError('OP_MSG too short');
  const flags = msg.readUInt32LE(HEADER_SIZE);
  if ((flags & 0xffff & ~KNOWN_REQUIRED_BITS) !== 0) throw new ProtocolError(`unsupported OP_MSG flag bits ${flags}`);
  const end = flags & MSG_CHECKSUM_PRESENT ? msg.length - 4 : msg.length;
  let at = HEADER_SIZE + 4;
  let body: Document | undefined;
  const sequences: [string, Document[]][] = [];
  while (at < end) {
    const kind = msg[at++];
    if (kind === 0) {
      if (body) throw new ProtocolError('OP_MSG has more than one body section');
      const r = readDocument(msg, at, end);
      body = r.doc;
      at = r.next;
    } else if (kind === 1) {
      if (at + 4 > end) throw new ProtocolError('truncated document sequence');
      const size = msg.readInt32LE(at);
      const seqEnd = at + size;
      if (size < 5 || seqEnd > end) throw new ProtocolError(`invalid document sequence length ${size}`);
      const id = readCString(msg, at + 4, seqEnd);
      const docs: Document[] = [];
      let p = id.next;
      while (p < seqEnd) {
        const r = readDocument(msg, p, seqEnd);
        docs.push(r.doc);
        p = r.next;
      }
      sequences.push([id.value, docs]);
      at = seqEnd;
    } else {
      throw new ProtocolError(`unknown OP_MSG section kind ${kind}`);
    }
  }
  if (!body) throw new ProtocolError('OP_MSG has no body section');
  for (const [id, docs] of sequences) {
    if (id in body) throw new ProtocolError(`duplicate field '${id}' in body and document sequence`);
    body[id] = docs;
  }
  const db = body.$db;
  if (typeof db !== 'string' || db === '') throw new ProtocolError('OP_MSG body must carry $db', 40571, 'Location40571');
  return { header, kind: 'msg', db, command: body, moreToCome: (flags & MSG_MORE_TO_COME) !== 0 };
}

let nextRequestId = 1;

function header(length: number, responseTo: number, opCode: number): Buffer {
  const h = Buffer.allocUnsafe(HEADER_SIZE);
  h.writeInt32LE(length, 0);
  h.writeInt32LE(nextRequestId++ & 0x7fffffff, 4);
  h.writeInt32LE(responseTo, 8);
  h.writeInt32LE(opCode, 12);
  return h;
}

export function buildOpMsg(responseTo: number, body: Document): Buffer {
  const bson = serialize(body);
  const prefix = Buffer.allocUnsafe(5);
  prefix.writeUInt32LE(0, 0);
  prefix[4] = 0;
  return Buffer.concat([header(HEADER_SIZE + 5 + bson.length, responseTo, OP_MSG), prefix, bson]);
}

export function buildOpReply(responseTo: number, doc: Document): Buffer {
  const bson = serialize(doc);
  const fields = Buffer.allocUnsafe(20);
  fields.writeInt32LE(0, 0);
  fields.writeBigInt64LE(0n, 4);
  fields.writeInt32LE(0, 12);
  fields.writeInt32LE(1, 16);
  return Buffer.concat([header(HEADER_SIZE + 20 + bson.length, responseTo, OP_REPLY), fields, bson]);
}

/** Builds an OP_MSG request (used by tests and tools that speak the protocol directly). */
export function buildOpMsgRequest(requestId: number, body: Document, flags = 0, sequences: [string, Document[]][] = []): Buffer {
  const parts: Buffer[] = [];
  const flagBuf = Buffer.allocUnsafe(4);
  flagBuf.writeUInt32LE(flags, 0);
  parts.push(flagBuf, Buffer.from([0]), Buffer.from(serialize(body)));
  for (const [id, docs] of sequences) {
    const payload = Buffer.concat([Buffer.from(id + '\0'), ...docs.map((d) => serialize(d))]);
    const size = Buffer.allocUnsafe(4);
    size.writeInt32LE(payload.length + 4, 0);
    parts.push(Buffer.from([1]), size, payload);
  }
  const rest = Buffer.concat(parts);
  const h = Buffer.allocUnsafe(HEADER_SIZE);
  h.writeInt32LE(HEADER_SIZE + rest.length, 0);
  h.writeInt32LE(requestId, 4);
  h.writeInt32LE(0, 8);
  h.writeInt32LE(OP_MSG, 12);
  return Buffer.concat([h, rest]);
}

/** Reads a reply (OP_MSG or OP_REPLY) back into its document. */
export function parseReply(msg: Buffer): { header: Header; doc: Document } {
  const h = readHeader(msg);
  if (h.opCode === OP_MSG) return { header: h, doc: deserialize(msg.subarray(HEADER_SIZE + 5), DESERIALIZE_OPTIONS) };
  if (h.opCode === OP_REPLY) return { header: h, doc: deserialize(msg.subarray(HEADER_SIZE + 20), DESERIALIZE_OPTIONS) };
  throw new Error(`not a reply opCode: ${h.opCode}`);
}

export { Long };
