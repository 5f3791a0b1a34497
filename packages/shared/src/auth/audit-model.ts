import { Schema, type Connection, type Model } from 'mongoose';

/** One audited access: who read whose personal or special-category data, when and why. */
export interface AuditEntry {
  /** Position in the chain, from 1, unique: two writers racing for the same seq cannot both win. */
  seq: number;
  at: Date;
  requestId: string;
  subgraph: string;
  operationName: string | null;
  actor: { sub: string; role: string; stateBody: string | null };
  servantId: string;
  categories: string[];
  fields: string[];
  purpose: string | null;
  /** Random id of the insert this entry came in, so a partly failed insert can be resumed. */
  batch: string;
  prevHash: string;
  hash: string;
}

const actorSchema = new Schema({ sub: { type: String, required: true }, role: { type: String, required: true }, stateBody: { type: String, default: null } }, { _id: false });

export const auditEntrySchema = new Schema<AuditEntry>(
  {
    seq: { type: Number, required: true },
    at: { type: Date, required: true },
    requestId: { type: String, required: true },
    subgraph: { type: String, required: true },
    operationName: { type: String, default: null },
    actor: { type: actorSchema, required: true },
    servantId: { type: String, required: true },
    categories: { type: [String], required: true },
    fields: { type: [String], required: true },
    purpose: { type: String, default: null },
    batch: { type: String, required: true },
    prevHash: { type: String, required: true },
    hash: { type: String, required: true },
  },
  { versionKey: false, strict: 'throw', collection: 'audit_log' },
);
auditEntrySchema.index({ seq: 1 }, { unique: true });
// "Who read my data": a servant's entries, newest first.
auditEntrySchema.index({ servantId: 1, seq: -1 });

// Append-only through this model; the hash chain catches what is done to the collection otherwise.
const FORBIDDEN_OPS = ['updateOne', 'updateMany', 'findOneAndUpdate', 'replaceOne', 'findOneAndReplace', 'deleteOne', 'deleteMany', 'findOneAndDelete'] as const;
for (const op of FORBIDDEN_OPS) {
  auditEntrySchema.pre(op, function refuse() {
    throw new Error(`the audit log is append-only: ${op} is refused`);
  });
}

export type AuditModel = Model<AuditEntry>;

/** The audit log model on a subgraph's connection (one log per database), indexes built. */
export async function auditModel(conn: Connection, collection = 'audit_log'): Promise<AuditModel> {
  const name = `AuditEntry_${collection}`;
  const model = (conn.models[name] as AuditModel | undefined) ?? conn.model<AuditEntry>(name, auditEntrySchema, collection);
  // The unique seq index is what serialises writers across processes: it must exist before the first write.
  await model.createIndexes();
  return model;
}

/** Who read a servant's data, newest first: what the servant role's "who read it" field returns. */
export async function auditEntriesForServant(model: AuditModel, servantId: string, limit = 100): Promise<AuditEntry[]> {
  return model.find({ servantId }, { _id: 0 }).sort({ seq: -1 }).limit(Math.min(Math.max(limit, 1), 1000)).lean<AuditEntry[]>();
}
