import type { Connection } from 'mongoose';
import { createSubgraphApp, lazySegmentLoader, loadSubgraphSdl, registerDirectoryModels, suppressionThresholdFrom, utcDay, type SubgraphAuth } from '@civil-service/shared';
import { warmPersonnelAlerts } from './analytics/alerts';
import { personnelSegmentComputer, todaysFigures } from './analytics/workforce';
import { backfillDirectory } from './directory/backfill';
import { directoryFeedResolver } from './directory/feed';
import { accessLogResolvers, bodyChainsResolver, personnelAuditModel, personnelAuthOptions } from './auth';
import { createLoaders } from './loaders';
import { registerModels, type PersonnelModels } from './models';
import { resolvers, type Context } from './resolvers';
import { personnelRules, type PersonnelRuleEntries } from './rules/reference';

export { seedPersonnel, type SeedPersonnelOptions, type SeedPersonnelResult } from './seed';
export { buildDirectorySnapshots, snapshotOf, bodyChainOf, type DirectorySnapshot, type SnapshotAssignment } from './directory/builder';
export { recordDirectoryChange, allocateSequence, COUNTERS_COLLECTION, DIRECTORY_COUNTER_ID } from './directory/writer';
export { backfillDirectory } from './directory/backfill';
export { personnelSegmentComputer, personnelSegmentPipeline, todaysFigures, type PersonnelMeasures } from './analytics/workforce';
export { rotationFlows, type RotationFlow } from './analytics/flows';
export { personnelBodyChains, personnelAuditModel } from './auth';
export { registerModels, type PersonnelModels } from './models';
export { personnelRules, DEFAULT_RULE_ENTRIES, type PersonnelRules, type PersonnelRuleEntries } from './rules/reference';
export { computeTenure, findOverlaps, mergeServicePeriods, type ServiceTenure, type ServiceInterval } from './rules/tenure';
export { rotationScheme, isCentreLevel, type RotationScheme, type StateBodyLevel } from './rules/rotation';
export { categoryMismatch, categoriesFor, parseCategoryCode } from './rules/category';
export { reentryBarOf, reentryBarOn } from './rules/reentry';
export { hasActiveCorpsAReserve } from './rules/reserve';
export { identityFromIin, identityAgrees } from './rules/iin';

export interface PersonnelConfig {
  /** Now as the subgraph sees it (tests pin it). */
  now: () => Date;
  /** Effective-dated rule tables; each defaults to its file in reference/. */
  rules: Partial<PersonnelRuleEntries>;
  /** Smallest workforce segment or rotation flow shown to roles but monitoring (default: ANALYTICS_MIN_CELL, else 5). */
  minCell: number;
}

export function createPersonnelSubgraph({ db, config, auth }: { db: Connection; config?: Partial<PersonnelConfig>; auth: SubgraphAuth }) {
  const models: PersonnelModels = registerModels(db);
  const AuditEntry = personnelAuditModel(db);
  // The master copy of the servant directory, and the feed the other subgraphs' copies read.
  const directory = registerDirectoryModels(db);
  const now = config?.now ?? (() => new Date());
  const rules = personnelRules(config?.rules);
  const minCell = config?.minCell ?? suppressionThresholdFrom(process.env);
  const today = todaysFigures(db, models, directory, auth.logger);
  const workforceFacts = today.facts;
  const computeSegments = personnelSegmentComputer(models, directory, today);
  const app = createSubgraphApp<Context>({
    name: 'personnel',
    typeDefs: loadSubgraphSdl('personnel'),
    resolvers: { ...resolvers, Query: { ...resolvers.Query, ...accessLogResolvers(AuditEntry), servantBodyChains: bodyChainsResolver(models), servantDirectoryChanges: directoryFeedResolver(directory) } },
    context: async () => ({
      db,
      models,
      directory,
      loaders: createLoaders(models),
      rules,
      now,
      minCell,
      computeSegments,
      stateBodies: () => today.staff.bodies(),
      segments: lazySegmentLoader(computeSegments, { threshold: minCell, today: now }),
    }),
    auth: personnelAuthOptions(models, AuditEntry, auth),
  });
  // The audit model is with the others so that starting the subgraph builds its unique seq index.
  return Object.assign(app, {
    models: { ...models, AuditEntry, ...directory },
    rules,
    directory,
    workforceFacts,
    factsCaughtUp: () => workforceFacts.catchUp(),
    /**
     * Before serving: a register from before the servant directory existed gets one, and the
     * compliance alerts' per-servant facts are read (seconds at national scale).
     */
    prepare: async () => {
      await backfillDirectory(db, models, directory);
      // Not fatal: the first personnelAlerts reads them then, and reports what failed.
      await warmPersonnelAlerts(directory, models, rules, utcDay(now())).catch((err: unknown) => auth.logger?.warn({ err }, 'compliance alert facts not read at start'));
      // In the background: the first workforce question waits for them if it comes first.
      workforceFacts.refresh();
    },
  });
}
