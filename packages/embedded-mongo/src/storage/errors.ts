import type { Document } from 'bson';

/** A MongoDB server error: becomes `{ ok: 0, errmsg, code, codeName }` on the wire. */
export class MongoError extends Error {
  constructor(
    readonly code: number,
    readonly codeName: string,
    message: string,
    readonly extra: Document = {},
    readonly errorLabels: string[] = [],
  ) {
    super(message);
    this.name = 'MongoError';
  }

  toReply(): Document {
    const reply: Document = { ok: 0, errmsg: this.message, code: this.code, codeName: this.codeName, ...this.extra };
    if (this.errorLabels.length) reply.errorLabels = this.errorLabels;
    return reply;
  }

  /** The entry for a write command's `writeErrors` array. */
  toWriteError(index: number): Document {
    return { index, code: this.code, codeName: this.codeName, errmsg: this.message, ...this.extra };
  }
}

export const Codes = {
  BadValue: [2, 'BadValue'],
  FailedToParse: [9, 'FailedToParse'],
  TypeMismatch: [14, 'TypeMismatch'],
  InvalidLength: [16, 'InvalidLength'],
  IllegalOperation: [20, 'IllegalOperation'],
  IndexNotFound: [27, 'IndexNotFound'],
  NamespaceNotFound: [26, 'NamespaceNotFound'],
  CursorNotFound: [43, 'CursorNotFound'],
  NamespaceExists: [48, 'NamespaceExists'],
  InvalidOptions: [72, 'InvalidOptions'],
  CommandNotFound: [59, 'CommandNotFound'],
  ImmutableField: [66, 'ImmutableField'],
  InvalidNamespace: [73, 'InvalidNamespace'],
  IndexOptionsConflict: [85, 'IndexOptionsConflict'],
  IndexKeySpecsConflict: [86, 'IndexKeySpecsConflict'],
  WriteConflict: [112, 'WriteConflict'],
  NoSuchTransaction: [251, 'NoSuchTransaction'],
  TransactionTooOld: [225, 'TransactionTooOld'],
  BSONObjectTooLarge: [10334, 'BSONObjectTooLarge'],
  DuplicateKey: [11000, 'DuplicateKey'],
  Location: [51, 'Location'],
} as const satisfies Record<string, readonly [number, string]>;

export function mongoError(kind: keyof typeof Codes, message: string, extra: Document = {}, labels: string[] = []): MongoError {
  const [code, name] = Codes[kind];
  return new MongoError(code, name, message, extra, labels);
}

/** Wraps anything thrown while executing (mingo errors, bugs) as a reply-able error. */
export function asMongoError(err: unknown): MongoError {
  if (err instanceof MongoError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return mongoError('BadValue', message);
}
