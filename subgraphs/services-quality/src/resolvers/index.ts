import type { FeedbackDoc, PublicServiceDoc, ViolationDoc } from '../models';
import { ONE_REPLY } from '../loaders';
import { entityResolvers } from './entities';
import { mutationResolvers } from './mutations';
import { analyticsEntityResolvers, analyticsQueryResolvers } from './analytics';
import type { Context } from './context';

export type { Context } from './context';

export const resolvers = {
  Query: {
    publicServices: (_parent: unknown, _args: unknown, ctx: Context): Promise<PublicServiceDoc[]> =>
      ctx.models.PublicService.find().sort({ _id: 1 }).batchSize(ONE_REPLY).lean<PublicServiceDoc[]>().exec(),
    publicService: (_parent: unknown, args: { code: string }, ctx: Context): Promise<PublicServiceDoc | null> =>
      ctx.loaders.serviceByCode.load(args.code),
    ...analyticsQueryResolvers,
  },

  Mutation: mutationResolvers,

  ...entityResolvers,
  ...analyticsEntityResolvers,

  PublicService: {
    __resolveReference: (ref: { code?: unknown }, ctx: Context): Promise<PublicServiceDoc | null> | null =>
      typeof ref.code === 'string' ? ctx.loaders.serviceByCode.load(ref.code) : null,
    code: (doc: PublicServiceDoc) => doc._id,
    // personnel resolves the body; a service with no provider on record has none.
    provider: (doc: PublicServiceDoc) => (doc.providerStateBodyId ? { __typename: 'StateBody', id: doc.providerStateBodyId } : null),
  },

  Violation: {
    id: (doc: ViolationDoc) => String(doc._id),
    service: (doc: ViolationDoc, _args: unknown, ctx: Context) => serviceOf(doc.serviceCode, ctx),
  },

  ServiceFeedback: {
    id: (doc: FeedbackDoc) => String(doc._id),
    service: (doc: FeedbackDoc, _args: unknown, ctx: Context) => serviceOf(doc.serviceCode, ctx),
  },
};

/** `service` is non-null in the schema; the register never deletes a service that has records. */
async function serviceOf(code: string, ctx: Context): Promise<PublicServiceDoc> {
  const service = await ctx.loaders.serviceByCode.load(code);
  if (!service) throw new Error(`public service ${code} is referenced but missing from the register`);
  return service;
}
