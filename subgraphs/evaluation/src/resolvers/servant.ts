import {
  assessmentRequired,
  deriveEvaluations,
  latestAnnualEvaluation,
  type EvaluationView,
} from '../rules/evaluation';
import { latestPerCompetency } from '../rules/competencies';
import type { AssessmentRow, CompetencyAssessmentRow, CompetencyRow } from '../loaders';
import { isObjectIdHex, type Context } from './context';

interface ServantRef {
  id: string;
}

async function latestBand(servant: ServantRef, ctx: Context) {
  const quarters = await ctx.loaders.quartersByServant.load(servant.id.toLowerCase());
  return latestAnnualEvaluation(quarters, ctx.now(), ctx.rulesAt)?.band ?? null;
}

/**
 * The evaluation fields of `CivilServant`. The subgraph stores only servant ids, so any valid id
 * resolves (a servant with no data has empty lists); existence is personnel's business.
 */
export const civilServantResolvers = {
  __resolveReference(ref: { id?: unknown }): ServantRef | null {
    return isObjectIdHex(ref.id) ? { id: ref.id } : null;
  },

  async evaluations(servant: ServantRef, args: { year?: number | null }, ctx: Context): Promise<EvaluationView[]> {
    const quarters = await ctx.loaders.quartersByServant.load(servant.id.toLowerCase());
    return deriveEvaluations(quarters, ctx.now(), ctx.rulesAt, args.year);
  },

  latestAnnualBand(servant: ServantRef, _args: unknown, ctx: Context) {
    return latestBand(servant, ctx);
  },

  async assessmentRequired(servant: ServantRef, _args: unknown, ctx: Context): Promise<boolean | null> {
    const today = ctx.now();
    return assessmentRequired(await latestBand(servant, ctx), ctx.rulesAt(today));
  },

  async assessments(servant: ServantRef, _args: unknown, ctx: Context): Promise<AssessmentRow[]> {
    const rows = await ctx.loaders.assessmentsByServant.load(servant.id.toLowerCase());
    return rows
      .slice()
      .sort((a, b) => new Date(b.assessedOn).getTime() - new Date(a.assessedOn).getTime());
  },

  async competencies(
    servant: ServantRef,
    _args: unknown,
    ctx: Context,
  ): Promise<(CompetencyAssessmentRow & { competency: CompetencyRow })[]> {
    const latest = latestPerCompetency(await ctx.loaders.competencyAssessmentsByServant.load(servant.id.toLowerCase()));
    const catalogue = await ctx.loaders.competencyByCode.loadMany(latest.map((r) => r.competencyCode));
    const out: (CompetencyAssessmentRow & { competency: CompetencyRow })[] = [];
    latest.forEach((row, i) => {
      const competency = catalogue[i];
      // A code withdrawn from the catalogue cannot be shown: `competency` is non-null in the schema.
      if (competency && !(competency instanceof Error)) out.push({ ...row, competency });
    });
    return out;
  },
};
