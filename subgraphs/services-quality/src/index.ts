import type { Connection } from 'mongoose';
import {
  createSubgraphApp,
  directoryCopyFor,
  loadSubgraphSdl,
  suppressionThresholdFrom,
  type DirectoryFeedOptions,
  type DirectoryModels,
  type SubgraphAuth,
} from '@civil-service/shared';
import { registerModels, type ServicesQualityModels } from './models';
import { createLoaders } from './loaders';
import { placementFacts, qualitySegmentComputer, TodaysWindow } from './analytics/segments';
import { resolvers, type Context } from './resolvers';
import { rulesLookup, type FeedbackRuleEntry } from './rules/reference';
import { violationRulesLookup, type ViolationRuleEntry } from './rules/violations';

export { seedServicesQuality } from './seed';
export type { SeedServicesQualityOptions, SeedServicesQualityCounts } from './seed';
export type { ServicesQualityModels, PublicServiceDoc, ServiceRequestStatDoc, RequestTotalDoc, FeedbackDoc, ViolationDoc } from './models';
export { rebuildRequestTotals } from './models';
export { checkFeedback, onTimeRate, average, type FeedbackRules } from './rules/feedback';
export { rulesLookup, DEFAULT_RULE_ENTRIES, type FeedbackRuleEntry } from './rules/reference';
export { violationRulesLookup, DEFAULT_VIOLATION_RULE_ENTRIES, type ViolationRuleEntry, type ViolationRules } from './rules/violations';
export { measureWindow, type QualityMeasures } from './analytics/segments';

export interface ServicesQualityConfig {
  /** Today as the subgraph sees it (tests pin it). */
  now: () => Date;
  /** Effective-dated feedback rules; `reference/feedback-rules.json` by default. */
  rules: FeedbackRuleEntry[];
  /** Effective-dated repeated violations rule; `reference/violation-rules.json` by default. */
  violationRules: ViolationRuleEntry[];
  /** Smallest workforce segment shown to roles other than monitoring; ANALYTICS_MIN_CELL (5) by default. */
  minCell: number;
}

export function createServicesQualitySubgraph({
  db,
  config,
  auth,
  directoryFeed,
}: {
  db: Connection;
  config?: Partial<ServicesQualityConfig>;
  auth: SubgraphAuth;
  /** personnel's directory feed; without it the directory copy is filled by whoever owns the database (tests). */
  directoryFeed?: DirectoryFeedOptions;
}) {
  const directory = directoryCopyFor(db, directoryFeed, auth.logger);
  // hr's scope from the directory copy, personnel over HTTP only for servants the copy lacks.
  const scoped: SubgraphAuth = { ...auth, bodyChains: directory.bodyChains(auth.bodyChains) };
  const models: ServicesQualityModels & DirectoryModels = { ...registerModels(db), ...directory.models };
  const now = config?.now ?? (() => new Date());
  const rulesAt = rulesLookup(config?.rules);
  const violationRulesAt = violationRulesLookup(config?.violationRules);
  const segmentOptions = { threshold: config?.minCell ?? suppressionThresholdFrom(process.env), today: now };
  const knownServants = (ids: readonly string[]) => directory.known(ids);
  const facts = placementFacts(db, directory, auth.logger);
  const placements = facts.store;
  const compute = qualitySegmentComputer(models, { placements, window: new TodaysWindow(models) });
  const app = createSubgraphApp<Context>({
    name: 'services-quality',
    typeDefs: loadSubgraphSdl('services-quality'),
    resolvers,
    context: async () => ({ models, loaders: createLoaders(models, segmentOptions, compute), now, rulesAt, violationRulesAt, knownServants }),
    // hr's scope comes from `scoped.bodyChains` (this subgraph holds no assignments); without a
    // directory feed or a lookup, hr is refused every scoped field here (fail closed). No field
    // here is audited, so no writer.
    ...directory.appOptions,
    auth: { verifier: auth.verifier, bodyChains: scoped.bodyChains, logger: auth.logger },
  });
  return Object.assign(app, {
    models,
    rulesAt,
    violationRulesAt,
    directorySync: directory.sync,
    directory,
    placements,
    ...facts.lifecycle,
  });
}
