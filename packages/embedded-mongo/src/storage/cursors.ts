import { Long, calculateObjectSize, type Document } from 'bson';
import { mongoError } from './errors';

/** Replies stay under maxBsonObjectSize with room for the envelope. */
const MAX_BATCH_BYTES = 16 * 1024 * 1024 - 64 * 1024;
const DEFAULT_FIRST_BATCH = 101;
/** MongoDB's default cursorTimeoutMillis. */
export const CURSOR_IDLE_MS = 10 * 60_000;

interface Cursor {
  id: Long;
  ns: string;
  docs: Document[];
  pos: number;
  lastUsed: number;
  /** Applied to each batch just before it is sent (find projections). */
  transform?: (doc: Document) => Document;
}

export interface CursorReply {
  id: Long;
  ns: string;
  batch: Document[];
}

export class Cursors {
  private readonly open = new Map<string, Cursor>();
  private next = 1n;
  private readonly sweeper: NodeJS.Timeout;

  constructor() {
    this.sweeper = setInterval(() => this.expire(), 30_000);
    this.sweeper.unref();
  }

  close(): void {
    clearInterval(this.sweeper);
    this.open.clear();
  }

  get count(): number {
    return this.open.size;
  }

  private expire(): void {
    const limit = Date.now() - CURSOR_IDLE_MS;
    for (const [k, c] of this.open) if (c.lastUsed < limit) this.open.delete(k);
  }

  /** Takes the first batch; keeps a cursor only when documents remain. */
  create(
    ns: string,
    docs: Document[],
    opts: { batchSize?: number; singleBatch?: boolean; transform?: (doc: Document) => Document },
  ): CursorReply {
    const cursor: Cursor = { id: Long.ZERO, ns, docs, pos: 0, lastUsed: Date.now(), transform: opts.transform };
    const batchSize = opts.batchSize === undefined || opts.batchSize === null ? DEFAULT_FIRST_BATCH : Number(opts.batchSize);
    if (!Number.isFinite(batchSize) || batchSize < 0) throw mongoError('BadValue', 'batchSize must be a non-negative number');
    const batch = this.take(cursor, batchSize);
    if (cursor.pos < docs.length && !opts.singleBatch) {
      cursor.id = Long.fromBigInt(this.next++);
      this.open.set(cursor.id.toString(), cursor);
    }
    return { id: cursor.id, ns, batch };
  }

  getMore(id: unknown, ns: string, batchSize: unknown): CursorReply {
    const key = String(id);
    const cursor = this.open.get(key);
    if (!cursor) throw mongoError('CursorNotFound', `cursor id ${key} not found`);
    if (cursor.ns !== ns) throw mongoError('Location', `Requested getMore on namespace '${ns}', but cursor belongs to a different namespace ${cursor.ns}`);
    cursor.lastUsed = Date.now();
    const n = batchSize === undefined || batchSize === null ? Infinity : Number(batchSize) || Infinity;
    const batch = this.take(cursor, n);
    if (cursor.pos >= cursor.docs.length) {
      this.open.delete(key);
      return { id: Long.ZERO, ns, batch };
    }
    return { id: cursor.id, ns, batch };
  }

  kill(ids: unknown[]): { killed: Long[]; notFound: Long[] } {
    const killed: Long[] = [];
    const notFound: Long[] = [];
    for (const id of ids) {
      const l = Long.fromString(String(id));
      (this.open.delete(l.toString()) ? killed : notFound).push(l);
    }
    return { killed, notFound };
  }

  private take(cursor: Cursor, n: number): Document[] {
    const out: Document[] = [];
    let bytes = 0;
    while (cursor.pos < cursor.docs.length && out.length < n) {
      const raw = cursor.docs[cursor.pos];
      const doc = cursor.transform ? cursor.transform(raw) : raw;
      const size = calculateObjectSize(doc);
      if (out.length > 0 && bytes + size > MAX_BATCH_BYTES) break;
      bytes += size;
      out.push(doc);
      cursor.pos++;
    }
    return out;
  }
}
