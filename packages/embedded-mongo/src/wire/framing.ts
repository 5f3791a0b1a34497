/**
 * Splits a TCP byte stream into MongoDB messages. Incoming chunks are kept in a list and only
 * copied once, when a complete message spans several of them: concatenating the buffered bytes
 * on every chunk is quadratic for large messages that arrive in many small reads.
 */

export const HEADER_SIZE = 16;

export class FramingError extends Error {}

export class MessageReader {
  private chunks: Buffer[] = [];
  /** Offset already consumed in chunks[0]. */
  private offset = 0;
  private buffered = 0;

  constructor(private readonly maxMessageSize: number) {}

  /** Bytes received but not yet returned as part of a message. */
  get pendingBytes(): number {
    return this.buffered;
  }

  /** Adds a chunk and returns every message now complete. Throws FramingError on a bad length. */
  push(chunk: Buffer): Buffer[] {
    if (chunk.length === 0) return [];
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const out: Buffer[] = [];
    while (this.buffered >= 4) {
      const length = this.peekInt32();
      if (length < HEADER_SIZE || length > this.maxMessageSize) {
        throw new FramingError(`message length ${length} is outside [${HEADER_SIZE}, ${this.maxMessageSize}]`);
      }
      if (this.buffered < length) break;
      out.push(this.take(length));
    }
    return out;
  }

  private peekInt32(): number {
    const first = this.chunks[0];
    if (first.length - this.offset >= 4) return first.readInt32LE(this.offset);
    const bytes = Buffer.alloc(4);
    let filled = 0;
    for (let i = 0; filled < 4; i++) {
      const c = this.chunks[i];
      const start = i === 0 ? this.offset : 0;
      filled += c.copy(bytes, filled, start, Math.min(c.length, start + 4 - filled));
    }
    return bytes.readInt32LE(0);
  }

  private take(length: number): Buffer {
    this.buffered -= length;
    const first = this.chunks[0];
    const available = first.length - this.offset;
    if (available >= length) {
      const msg = first.subarray(this.offset, this.offset + length);
      this.offset += length;
      if (this.offset === first.length) {
        this.chunks.shift();
        this.offset = 0;
      }
      return msg;
    }
    const msg = Buffer.allocUnsafe(length);
    let filled = 0;
    while (filled < length) {
      const c = this.chunks[0];
      const n = c.copy(msg, filled, this.offset, Math.min(c.length, this.offset + length - filled));
      filled += n;
      this.offset += n;
      if (this.offset === c.length) {
        this.chunks.shift();
        this.offset = 0;
      }
    }
    return msg;
  }
}
