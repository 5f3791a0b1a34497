import { lastCompletedTraining, isTrainingOverdue } from '../rules/training';
import type { RecordRow } from '../loaders';
import { isObjectIdHex, type Context } from './context';

/** What this subgraph knows of a servant: the register id, nothing personal. */
export interface ServantRef {
  id: string;
}

function records(servant: ServantRef, ctx: Context): Promise<RecordRow[]> {
  return ctx.loaders.recordsByServant.load(servant.id.toLowerCase());
}

export const civilServantResolvers = {
  // No database read here: a servant without learning records is still a servant (and overdue).
  __resolveReference(ref: { id?: unknown }): ServantRef | null {
    return isObjectIdHex(ref.id) ? { id: ref.id } : null;
  },
  learningRecords(servant: ServantRef, _args: unknown, ctx: Context): Promise<RecordRow[]> {
    return records(servant, ctx);
  },
  async lastCompletedTraining(servant: ServantRef, _args: unknown, ctx: Context): Promise<Date | null> {
    return lastCompletedTraining(await records(servant, ctx), ctx.now());
  },
  async trainingOverdue(servant: ServantRef, _args: unknown, ctx: Context): Promise<boolean> {
    const today = ctx.now();
    return isTrainingOverdue(await records(servant, ctx), today, ctx.rulesAt(today));
  },
};
