import { createHash } from 'node:crypto';
import type { AuditEntry, AuditModel } from './audit-model';

export const GENESIS_HASH = '0'.repeat(64);

/**
 * JSON with object keys sorted and dates as ISO strings, so the same entry hashes the same
 * before it is written and after it is read back (whatever order the database returns fields in).
 */
export function canonicalJson(value: unknown): string {
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export type UnhashedEntry = Omit<AuditEntry, 'hash'>;

/** The fields an entry's hash covers: everything but the hash itself (and the database's _id). */
function hashedPart(entry: UnhashedEntry): UnhashedEntry {
  return {
    seq: entry.seq,
    at: new Date(entry.at),
    requestId: entry.requestId,
    subgraph: entry.subgraph,
    operationName: entry.operationName ?? null,
    actor: { sub: entry.actor.sub, role: entry.actor.role, stateBody: entry.actor.stateBody ?? null },
    servantId: entry.servantId,
    categories: [...entry.categories],
    fields: [...entry.fields],
    purpose: entry.purpose ?? null,
    batch: entry.batch,
    prevHash: entry.prevHash,
  };
}

export function hashEntry(entry: UnhashedEntry): string {
  return createHash('sha256').update(canonicalJson(hashedPart(entry))).digest('hex');
}

export type ChainReport =
  | { ok: true; count: number; lastSeq: number; lastHash: string }
  | { ok: false; count: number; brokenAt: number; reason: string };

/**
 * Walks the log in seq order and reports the first entry that breaks the chain: a gap in seq, a
 * prevHash that is not the previous entry's hash, or a hash that does not match the content.
 * Cutting entries off the end leaves a valid chain; keep `lastHash` somewhere else to catch that.
 */
export async function verifyAuditChain(model: AuditModel): Promise<ChainReport> {
  let expectedSeq = 1;
  let prevHash = GENESIS_HASH;
  let count = 0;
  for await (const doc of model.find({}).sort({ seq: 1 }).lean<AuditEntry>().cursor()) {
    const broken = (reason: string): ChainReport => ({ ok: false, count, brokenAt: doc.seq, reason });
    if (doc.seq !== expectedSeq) return broken(`expected seq ${expectedSeq}, found ${doc.seq}`);
    if (doc.prevHash !== prevHash) return broken('prevHash is not the hash of the entry before it');
    if (hashEntry(doc) !== doc.hash) return broken('content does not match its hash');
    prevHash = doc.hash;
    expectedSeq++;
    count++;
  }
  return { ok: true, count, lastSeq: expectedSeq - 1, lastHash: prevHash };
}
