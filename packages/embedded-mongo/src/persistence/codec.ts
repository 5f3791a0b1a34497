import { BSON, Double, Int32, type Document } from 'bson';
import type { Mutation } from '../storage/mutation';

/**
 * BSON encoding of mutations for the journal and the snapshot.
 *
 * The contract is BSON-type exactness: a recovered value serializes to the same bytes as the
 * value that was journaled, so a Long stays a Long, a Decimal128 a Decimal128, a double that
 * happens to be integral stays a double, and so on. To get that, values are read back without
 * promotion (`promoteValues: false`, `promoteLongs: false`, `bsonRegExp: true`) and then only
 * the wrappers that plain JS numbers already serialize to identically are unwrapped: an Int32
 * becomes a number (a number in int32 range serializes as int32) and a Double whose value would
 * not serialize as int32 (fractional, huge, NaN, -0) becomes a number. A Double(5) stays a
 * Double, because the number 5 would come back as an int32.
 *
 * Each mutation is its own BSON document and a payload is their concatenation. Wrapping a
 * whole append as one `{ m: [...] }` document would be tidier, but BSON caps a document at
 * 16 MiB and one insertMany (or one snapshot) can legitimately carry more than that.
 *
 * `checkKeys: false` keeps field names such as `$foo` or `a.b` that a stored document may have;
 * `ignoreUndefined: false` keeps a field whose value is undefined (it comes back as null) so the
 * field still exists after a restart, as it did before.
 */

const SERIALIZE_OPTIONS = { checkKeys: false, ignoreUndefined: false, serializeFunctions: false } as const;
/** encodeInto's options; `index` is set on each call. */
const INTO_OPTIONS = { ...SERIALIZE_OPTIONS, index: 0 };
const DESERIALIZE_OPTIONS = {
  promoteValues: false,
  promoteLongs: false,
  promoteBuffers: false,
  bsonRegExp: true,
  validation: { utf8: false },
} as const;

export function encodeMutations(mutations: readonly Mutation[]): Buffer {
  const parts: Buffer[] = [];
  let total = 0;
  for (const mutation of mutations) {
    const bytes = encodeDocument(mutation as unknown as Document);
    parts.push(bytes);
    total += bytes.length;
  }
  return Buffer.concat(parts, total);
}

export function decodeMutations(payload: Buffer): Mutation[] {
  const out: Mutation[] = [];
  let offset = 0;
  while (offset < payload.length) {
    if (payload.length - offset < 5) throw new Error(`trailing ${payload.length - offset} bytes in payload`);
    const size = payload.readInt32LE(offset);
    if (size < 5 || offset + size > payload.length) throw new Error(`bad BSON document size ${size}`);
    out.push(decodeDocument(payload.subarray(offset, offset + size)) as unknown as Mutation);
    offset += size;
  }
  return out;
}

export function encodeDocument(doc: Document): Buffer {
  const bytes = BSON.serialize(doc, SERIALIZE_OPTIONS);
  // serialize returns a fresh Uint8Array; view it as a Buffer without copying.
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Serializes `doc` exactly as encodeDocument does, into `target` at `offset`, without allocating
 * a buffer for it; returns the offset just past it, or -1 (target untouched) when it does not fit.
 */
export function encodeInto(doc: Document, target: Buffer, offset: number): number {
  INTO_OPTIONS.index = offset;
  try {
    return BSON.serializeWithBufferAndIndex(doc, target, INTO_OPTIONS) + 1;
  } catch (err) {
    // TypedArray.set refuses (RangeError) before copying anything when the bytes do not fit. By
    // name, not instanceof: the error may come from another realm (jest runs tests in a vm context).
    if ((err as Error | undefined)?.name === 'RangeError') return -1;
    throw err;
  }
}

export function decodeDocument(bytes: Uint8Array): Document {
  return unwrapNumbers(BSON.deserialize(bytes, DESERIALIZE_OPTIONS)) as Document;
}

function wouldSerializeAsInt32(n: number): boolean {
  return Number.isSafeInteger(n) && n >= -2147483648 && n <= 2147483647 && !Object.is(n, -0);
}

/** Replaces Int32 and Double wrappers by numbers where that changes no BSON byte (see above). */
function unwrapNumbers(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Int32) return value.value;
  if (value instanceof Double) return wouldSerializeAsInt32(value.value) ? value : value.value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = unwrapNumbers(value[i]);
    return value;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto === Object.prototype || proto === null) {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) record[key] = unwrapNumbers(record[key]);
    return value;
  }
  // Other BSON classes (ObjectId, Long, Decimal128, Binary, Timestamp, Code, DBRef, ...) and
  // Date carry no nested documents that need unwrapping except Code's scope and DBRef's fields.
  const bsonType = (value as { _bsontype?: string })._bsontype;
  if (bsonType === 'Code') {
    const code = value as { scope?: Document | null };
    if (code.scope) code.scope = unwrapNumbers(code.scope) as Document;
  } else if (bsonType === 'DBRef') {
    const ref = value as { oid: unknown; fields: Document };
    ref.oid = unwrapNumbers(ref.oid);
    ref.fields = unwrapNumbers(ref.fields) as Document;
  }
  return value;
}
