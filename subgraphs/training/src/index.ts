import type { Connection } from 'mongoose';
import { createSubgraphApp, directoryCopyFor, loadSubgraphSdl, suppressionThresholdFrom, type DirectoryFeedOptions, type DirectoryModels, type SubgraphAuth } from '@civil-service/shared';
import { registerModels, type TrainingModels } from './models';
import { createLoaders } from './loaders';
import { resolvers, type Context } from './resolvers';
import { rulesLookup, type TrainingRuleEntry } from './rules/reference';
import { trainingSegmentComputer } from './analytics/segments';
import { trainingFacts } from './analytics/facts';
import type { TrainingRules } from './rules/training';

export { seedTraining } from './seed';
export type { SeedTrainingOptions, SeedTrainingCounts } from './seed';
export type { TrainingModels, TrainingProgramDoc, LearningRecordDoc } from './models';
export {
  isTrainingOverdue,
  lastCompletedTraining,
  retrainingStatus,
  isRetrainingOverdue,
  trainingDueBy,
  type TrainingRules,
  type RetrainingEvent,
} from './rules/training';
export { rulesLookup, DEFAULT_RULE_ENTRIES, type TrainingRuleEntry } from './rules/reference';

export interface TrainingConfig {
  /** Now as the subgraph sees it (tests pin it). */
  now: () => Date;
  /** Effective-dated training rules; `reference/training-rules.json` by default. */
  rules: TrainingRuleEntry[];
  /** Smallest workforce segment shown to roles other than monitoring; ANALYTICS_MIN_CELL (5) by default. */
  minCell: number;
}

export function createTrainingSubgraph({
  db,
  config,
  auth,
  directoryFeed,
}: {
  db: Connection;
  config?: Partial<TrainingConfig>;
  auth: SubgraphAuth;
  /** personnel's directory feed; without it the directory copy is filled by whoever owns the database (tests). */
  directoryFeed?: DirectoryFeedOptions;
}) {
  const directory = directoryCopyFor(db, directoryFeed, auth.logger);
  // hr's scope from the directory copy, personnel over HTTP only for servants the copy lacks.
  const scoped: SubgraphAuth = { ...auth, bodyChains: directory.bodyChains(auth.bodyChains) };
  const models: TrainingModels & DirectoryModels = { ...registerModels(db), ...directory.models };
  const now = config?.now ?? (() => new Date());
  const rulesAt = rulesLookup(config?.rules);
  const threshold = config?.minCell ?? suppressionThresholdFrom(process.env);
  // A question about a day before the first rules entry is judged by today's rules, as the mutations do.
  const rulesOnDay = (day: Date): TrainingRules => {
    try {
      return rulesAt(day);
    } catch {
      return rulesAt(now());
    }
  };
  const facts = trainingFacts(db, directory, auth.logger);
  const alertFacts = facts.store;
  const compute = trainingSegmentComputer(models, rulesOnDay, alertFacts);
  const app = createSubgraphApp<Context>({
    name: 'training',
    typeDefs: loadSubgraphSdl('training'),
    resolvers,
    context: async () => {
      const ctx: Context = {
        models,
        loaders: createLoaders(models, { compute, threshold, today: now }),
        now,
        rulesAt,
        knownServants: (ids: readonly string[]) => directory.known(ids),
        alertFacts,
      };
      return ctx;
    },
    // hr's scope comes from `scoped.bodyChains` (this subgraph holds no assignments); without a
    // directory feed or a lookup, hr is refused every scoped field here (fail closed). No field
    // here is audited, so no writer.
    ...directory.appOptions,
    auth: { verifier: auth.verifier, bodyChains: scoped.bodyChains, logger: auth.logger },
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
