/**
 * JSON as UTF-8 bytes, written so that a subgraph's answer of megabytes costs about half as much.
 *
 * V8 builds a long `JSON.stringify` result as a chain of pieces; the first read of the whole (the
 * UTF-8 encoding for the socket) first copies them into one string. Personnel's workforce answer
 * by state body at 100,000 servants (~2,900 segments, 1.4 MB, bodies named in Kazakh and
 * Russian): stringify plus encode 13.2 ms, these bytes 7.2 ms (medians in the running subgraph,
 * both ways timed on the same answers). A long list is stringified a run of elements at a time,
 * each run's JSON short enough to be one flat piece, encoded straight into place. An answer
 * without a long list (a profile) is stringified whole, as before: written key by key, a 5 KB
 * profile cost 0.10 ms instead of 0.026. The gateway's answer, made of the objects its result
 * shaping builds, measured no faster this way (25 ms either way in the process; on replayed
 * subgraph answers, the gateway alone on a core, ~100 ms of CPU per 2 MB answer either way), so
 * the gateway keeps Apollo's.
 *
 * The bytes are exactly `JSON.stringify(value)`'s, encoded as UTF-8 (a test compares them).
 */

/** Long lists are looked for down to this depth (a list of servants: data.civilServants.edges, 3). */
const SPINE_DEPTH = 5;
/** A list this long is written in runs of elements; a shorter one is walked, as its elements may be large. */
const LONG_LIST = 32;
/**
 * Elements stringified at once: one JSON.stringify per element cost more in calls than in text (the
 * 2 MB workforce answer: 11.3 ms one by one, 9.0 in runs of 64, 13.6 whole and encoded, medians in
 * plain Node), and a run's JSON is still short enough to be one flat piece.
 */
const RUN = 64;
const FIRST_CAPACITY = 64 * 1024;

const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

class ByteWriter {
  private buffer = Buffer.allocUnsafe(FIRST_CAPACITY);
  private length = 0;

  byte(b: number): void {
    if (this.length === this.buffer.length) this.grow(1);
    this.buffer[this.length++] = b;
  }

  text(s: string): void {
    // A UTF-16 code unit takes at most 3 bytes in UTF-8 (a surrogate pair, two units, takes 4).
    if (this.length + s.length * 3 > this.buffer.length) this.grow(s.length * 3);
    this.length += this.buffer.write(s, this.length, 'utf8');
  }

  /**
   * Writes a list's elements a run at a time: each run is stringified as a list of its own, and the
   * `]` closing one run is overwritten by the next, whose `[` becomes the comma between them.
   */
  listInRuns(list: readonly unknown[]): void {
    for (let i = 0; i < list.length; i += RUN) {
      const run = JSON.stringify(list.slice(i, i + RUN));
      if (i > 0) this.length--;
      const at = this.length;
      this.text(run);
      if (i > 0) this.buffer[at] = COMMA;
    }
  }

  bytes(): Buffer {
    return this.buffer.subarray(0, this.length);
  }

  private grow(needed: number): void {
    const next = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.length + needed));
    this.buffer.copy(next, 0, 0, this.length);
    this.buffer = next;
  }
}

/** What JSON.stringify leaves out of an object (and writes as null in a list). */
function isSkipped(value: unknown): boolean {
  return value === undefined || typeof value === 'function' || typeof value === 'symbol';
}

/** An object JSON.stringify would write as its own enumerable keys: no toJSON, no class of its own. */
function isPlainRecord(value: object): value is Record<string, unknown> {
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function writeWhole(out: ByteWriter, value: unknown): void {
  // Only a skipped value makes JSON.stringify return undefined; in a list it is written as null.
  out.text((JSON.stringify(value) as string | undefined) ?? 'null');
}

/** Whether a list long enough to write in runs lies within the spine under `value`. */
function holdsLongList(value: unknown, depth: number): boolean {
  if (depth >= SPINE_DEPTH || value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) {
    if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
    if (value.length >= LONG_LIST) return true;
    for (const element of value) if (holdsLongList(element, depth + 1)) return true;
    return false;
  }
  if (!isPlainRecord(value)) return false;
  for (const key of Object.keys(value)) if (holdsLongList(value[key], depth + 1)) return true;
  return false;
}

function writeValue(out: ByteWriter, value: unknown, depth: number): void {
  // Without a long list below, one JSON.stringify is cheapest: a profile of a few hundred fields,
  // written key by key, cost several times as much.
  if (!holdsLongList(value, depth)) return writeWhole(out, value);
  if (Array.isArray(value)) {
    if (value.length >= LONG_LIST) return out.listInRuns(value);
    out.byte(OPEN_BRACKET);
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out.byte(COMMA);
      writeValue(out, value[i], depth + 1);
    }
    out.byte(CLOSE_BRACKET);
    return;
  }
  const record = value as Record<string, unknown>;
  out.byte(OPEN_BRACE);
  let first = true;
  for (const key of Object.keys(record)) {
    const field = record[key];
    if (isSkipped(field)) continue;
    if (!first) out.byte(COMMA);
    first = false;
    out.text(JSON.stringify(key));
    out.byte(COLON);
    writeValue(out, field, depth + 1);
  }
  out.byte(CLOSE_BRACE);
}

/**
 * `Buffer.from(JSON.stringify(value) + suffix)`, without building the text as one string. A value
 * JSON.stringify leaves out entirely (undefined, a function) is written as `null`.
 */
export function jsonBytes(value: unknown, suffix = ''): Buffer {
  if (!holdsLongList(value, 0)) return Buffer.from(`${(JSON.stringify(value) as string | undefined) ?? 'null'}${suffix}`, 'utf8');
  const out = new ByteWriter();
  writeValue(out, value, 0);
  if (suffix) out.text(suffix);
  return out.bytes();
}
