import { allocateCounter, badUserInput, conflict, mongoErrorToGraphQL, notFound } from '@civil-service/shared';
import { QUARTERS_COUNTER } from '../models';
import { bandFor, quarterStart, validateEvaluationInput, type EvaluationView } from '../rules/evaluation';
import { COMPETENCY_FIELDS, type CompetencyRow } from '../loaders';
import { civilServantResolvers } from './servant';
import { analyticsResolvers } from './analytics';
import { isObjectIdHex, type Context } from './context';

export type { Context } from './context';

interface EvaluationInput {
  servantId: string;
  year: number;
  quarter: number;
  score: number;
}

function isDuplicateKey(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
}

export const resolvers = {
  Query: {
    competencies(_parent: unknown, _args: unknown, ctx: Context): Promise<CompetencyRow[]> {
      return ctx.models.Competency.find({}, COMPETENCY_FIELDS).sort({ code: 1 }).lean<CompetencyRow[]>().exec();
    },
    ...analyticsResolvers.Query,
  },

  WorkforceSegment: analyticsResolvers.WorkforceSegment,

  Mutation: {
    async recordEvaluation(_parent: unknown, { input }: { input: EvaluationInput }, ctx: Context): Promise<EvaluationView> {
      if (!isObjectIdHex(input.servantId)) {
        throw badUserInput('servantId must be a 24-character hexadecimal servant id', 'servantId');
      }
      const today = ctx.now();
      const problem = validateEvaluationInput(input, today, ctx.rulesAt);
      if (problem) throw badUserInput(problem.message, problem.field);
      const servantId = input.servantId.toLowerCase();
      // Scores only for servants of the register: personnel is the master of who exists.
      if (!(await ctx.knownServants([servantId])).has(servantId)) throw notFound(`servant ${input.servantId} is not in the register`);
      const { QuarterlyEvaluation } = ctx.models;
      // The unique (servantId, year, quarter) index is what refuses a duplicate, also under races.
      await QuarterlyEvaluation.init();
      try {
        // The change number in the same transaction: the alert facts see quarters in commit order.
        await QuarterlyEvaluation.db.transaction(async (session) => {
          const rev = await allocateCounter(QuarterlyEvaluation.db, QUARTERS_COUNTER, 1, session);
          await QuarterlyEvaluation.create([{ servantId, year: input.year, quarter: input.quarter, score: input.score, recordedAt: today, rev }], { session });
        });
      } catch (err) {
        if (isDuplicateKey(err)) {
          throw conflict(`quarter ${input.quarter} of ${input.year} is already recorded for servant ${input.servantId}`);
        }
        throw mongoErrorToGraphQL(err);
      }
      ctx.loaders.quartersByServant.clear(servantId);
      return {
        period: 'QUARTER',
        year: input.year,
        quarter: input.quarter,
        score: input.score,
        band: bandFor(input.score, ctx.rulesAt(quarterStart(input.year, input.quarter))),
      };
    },
  },

  CivilServant: civilServantResolvers,

  Competency: {
    __resolveReference(ref: { code?: unknown }, ctx: Context): Promise<CompetencyRow | null> | null {
      return typeof ref.code === 'string' ? ctx.loaders.competencyByCode.load(ref.code) : null;
    },
  },
};
