import type { Connection } from 'mongoose';
import { createSubgraphApp, loadSubgraphSdl } from '@civil-service/shared';
import { registerModels, type EvaluationModels } from './models';
import { createLoaders } from './loaders';
import { resolvers, type Context } from './resolvers';
import { rulesLookup, type EvaluationRuleEntry } from './rules/reference';

export { seedEvaluation } from './seed';
export type { SeedEvaluationOptions } from './seed';
export type { EvaluationModels } from './models';
export { evaluationDueDate, bandFor, annualScore } from './rules/evaluation';

export interface EvaluationConfig {
  /** Today as the subgraph sees it (tests pin it). */
  now: () => Date;
  /** Effective-dated evaluation rules; `reference/evaluation-rules.json` by default. */
  rules: EvaluationRuleEntry[];
}

export function createEvaluationSubgraph({ db, config }: { db: Connection; config?: Partial<EvaluationConfig> }) {
  const models: EvaluationModels = registerModels(db);
  const now = config?.now ?? (() => new Date());
  const rulesAt = rulesLookup(config?.rules);
  const app = createSubgraphApp<Context>({
    name: 'evaluation',
    typeDefs: loadSubgraphSdl('evaluation'),
    resolvers,
    context: async () => ({ models, loaders: createLoaders(models), now, rulesAt }),
  });
  return Object.assign(app, { models, rulesAt });
}
