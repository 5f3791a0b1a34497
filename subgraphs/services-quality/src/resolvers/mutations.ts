import { Types } from 'mongoose';
import { allocateCounter, badUserInput, mongoErrorToGraphQL, notFound, utcDay } from '@civil-service/shared';
import { FEEDBACK_COUNTER, type FeedbackDoc } from '../models';
import { checkFeedback } from '../rules/feedback';
import { isObjectIdHex, type Context } from './context';

interface FeedbackInput {
  serviceCode: string;
  stateBodyId: string;
  servantId?: string | null;
  rating: number;
  onTime: boolean;
  comment?: string | null;
}

/** Register ids are stored in lower case, so an id in another letter case is the same body or servant. */
function requireId(value: string, field: string, what: string): string {
  if (!isObjectIdHex(value)) throw badUserInput(`${field} must be a 24-character hexadecimal ${what} id`, field);
  return value.toLowerCase();
}

export const mutationResolvers = {
  /**
   * Every check runs before the single insert, so refused input writes nothing. A named servant
   * must be in the directory copy (NOT_FOUND otherwise; the copy catches up with personnel once
   * before refusing). The body is personnel's record: only its id shape is checked here.
   */
  async submitServiceFeedback(_parent: unknown, { input }: { input: FeedbackInput }, ctx: Context): Promise<FeedbackDoc> {
    const stateBodyId = requireId(input.stateBodyId, 'stateBodyId', 'state body');
    const servantId = input.servantId == null ? null : requireId(input.servantId, 'servantId', 'servant');
    const submittedOn = utcDay(ctx.now());
    const checked = checkFeedback(input, ctx.rulesAt(submittedOn));
    if (!checked.ok) throw badUserInput(checked.problem.message, checked.problem.field);
    const service = await ctx.loaders.serviceByCode.load(input.serviceCode);
    if (!service) throw notFound(`serviceCode: no public service with code '${input.serviceCode}'`);
    if (servantId && !(await ctx.knownServants([servantId])).has(servantId)) {
      throw notFound(`servantId: no civil servant with id '${servantId}'`);
    }

    const doc: FeedbackDoc = {
      _id: new Types.ObjectId(),
      serviceCode: service._id,
      stateBodyId,
      servantId,
      rating: input.rating,
      onTime: input.onTime,
      comment: checked.comment,
      submittedOn,
    };
    try {
      // With the feedback counter in one transaction: today's window sums see the feedback in order.
      const { Feedback } = ctx.models;
      await Feedback.db.transaction(async (session) => {
        await allocateCounter(Feedback.db, FEEDBACK_COUNTER, 1, session);
        await Feedback.create([doc], { session });
      });
    } catch (err) {
      throw mongoErrorToGraphQL(err);
    }
    // The servant's and the body's figures in this request must include the new feedback.
    if (servantId) ctx.loaders.servantQuality.clear(servantId);
    ctx.loaders.bodyQuality.clearAll();
    return doc;
  },
};
