import type { Connection } from 'mongoose';
import { createSubgraphApp, directoryCopyFor, loadSubgraphSdl, type DirectoryFeedOptions, type DirectoryModels, servantWriteTarget, type SubgraphAuth } from '@civil-service/shared';
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

export function createEvaluationSubgraph({
  db,
  config,
  auth,
  directoryFeed,
}: {
  db: Connection;
  config?: Partial<EvaluationConfig>;
  auth: SubgraphAuth;
  /** personnel's directory feed; without it the directory copy is filled by whoever owns the database (tests). */
  directoryFeed?: DirectoryFeedOptions;
}) {
  const directory = directoryCopyFor(db, directoryFeed, auth.logger);
  const models: EvaluationModels & DirectoryModels = { ...registerModels(db), ...directory.models };
  const now = config?.now ?? (() => new Date());
  const rulesAt = rulesLookup(config?.rules);
  const app = createSubgraphApp<Context>({
    name: 'evaluation',
    typeDefs: loadSubgraphSdl('evaluation'),
    resolvers,
    context: async () => ({ models, loaders: createLoaders(models), now, rulesAt }),
    // hr's scope comes from `auth.bodyChains` (this subgraph holds no assignments); without it hr
    // is refused every scoped field here (fail closed). No field here is audited, so no writer.
    ...directory.appOptions,
    auth: { verifier: auth.verifier, bodyChains: auth.bodyChains, logger: auth.logger, writeTargets: { recordEvaluation: servantWriteTarget(auth, 'input') } },
  });
  return Object.assign(app, { models, rulesAt, directorySync: directory.sync, directory });
}
