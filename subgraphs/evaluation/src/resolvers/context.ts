import type { DirectoryModels } from '@civil-service/shared';
import type { EvaluationModels } from '../models';
import type { Loaders } from '../loaders';
import type { RulesAt } from '../rules/evaluation';
import type { EvaluationFactStore } from '../analytics/facts';

export interface Context {
  models: EvaluationModels & DirectoryModels;
  loaders: Loaders;
  /** Which servant ids the directory copy knows (catching up with personnel once before saying no). */
  knownServants: (ids: readonly string[]) => Promise<Set<string>>;
  /** Today as the subgraph sees it (tests pin it). */
  now: () => Date;
  rulesAt: RulesAt;
  /** The compliance alerts' per-servant facts, shared by every request of this instance. */
  alertFacts: EvaluationFactStore;
}

export const OBJECT_ID_HEX = /^[0-9a-f]{24}$/i;

export function isObjectIdHex(value: unknown): value is string {
  return typeof value === 'string' && OBJECT_ID_HEX.test(value);
}
