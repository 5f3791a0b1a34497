import type { Connection } from 'mongoose';
import {
  createSubgraphApp,
  directoryCopyFor,
  loadSubgraphSdl,
  servantWriteTarget,
  suppressionThresholdFrom,
  type DirectoryFeedOptions,
  type DirectoryModels,
  type SubgraphAuth,
} from '@civil-service/shared';
import { registerModels, type EvaluationModels } from './models';
import { createLoaders } from './loaders';
import { resolvers, type Context } from './resolvers';
import { rulesLookup, type EvaluationRuleEntry } from './rules/reference';
import { evaluationSegmentComputer } from './analytics/segments';
import { evaluationFacts } from './analytics/facts';

export { seedEvaluation } from './seed';
export type { SeedEvaluationOptions } from './seed';
export type { EvaluationModels } from './models';
export { evaluationDueDate, bandFor, annualScore } from './rules/evaluation';

export interface EvaluationConfig {
  /** Today as the subgraph sees it (tests pin it). */
  now: () => Date;
  /** Effective-dated evaluation rules; `reference/evaluation-rules.json` by default. */
  rules: EvaluationRuleEntry[];
  /** Smallest workforce segment shown to roles other than monitoring; ANALYTICS_MIN_CELL (5) by default. */
  minCell: number;
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
  // hr's scope from the directory copy, personnel over HTTP only for servants the copy lacks.
  const scoped: SubgraphAuth = { ...auth, bodyChains: directory.bodyChains(auth.bodyChains) };
  const models: EvaluationModels & DirectoryModels = { ...registerModels(db), ...directory.models };
  const now = config?.now ?? (() => new Date());
  const rulesAt = rulesLookup(config?.rules);
  const facts = evaluationFacts(db, directory, auth.logger);
  const alertFacts = facts.store;
  const compute = evaluationSegmentComputer(models, rulesAt, alertFacts);
  const segmentOptions = { threshold: config?.minCell ?? suppressionThresholdFrom(process.env), today: now };
  const app = createSubgraphApp<Context>({
    name: 'evaluation',
    typeDefs: loadSubgraphSdl('evaluation'),
    resolvers,
    context: async () => ({ models, loaders: createLoaders(models, { compute, ...segmentOptions }), now, rulesAt, knownServants: directory.known, alertFacts }),
    // hr's scope comes from `scoped.bodyChains` (this subgraph holds no assignments); without a
    // directory feed or a lookup, hr is refused every scoped field here (fail closed). No field
    // here is audited, so no writer.
    ...directory.appOptions,
    auth: { verifier: auth.verifier, bodyChains: scoped.bodyChains, logger: auth.logger, writeTargets: { recordEvaluation: servantWriteTarget(scoped, 'input') } },
  });
  return Object.assign(app, {
    models,
    rulesAt,
    directorySync: directory.sync,
    directory,
    alertFacts,
    ...facts.lifecycle,
  });
}
