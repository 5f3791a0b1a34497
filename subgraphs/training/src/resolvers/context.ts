import type { DirectoryModels } from '@civil-service/shared';
import type { TrainingModels } from '../models';
import type { Loaders } from '../loaders';
import type { RulesAt, TrainingRules } from '../rules/training';
import type { TrainingFactStore } from '../analytics/facts';

export interface Context {
  models: TrainingModels & DirectoryModels;
  loaders: Loaders;
  /** Which of these servant ids the directory copy knows (catching up with personnel once first). */
  knownServants: (ids: readonly string[]) => Promise<Set<string>>;
  /** Now as the subgraph sees it (tests pin it). */
  now: () => Date;
  rulesAt: RulesAt;
  /** The compliance alerts' per-servant facts, shared by every request of this instance. */
  alertFacts: TrainingFactStore;
}

const OBJECT_ID_HEX = /^[0-9a-f]{24}$/i;

export function isObjectIdHex(value: unknown): value is string {
  return typeof value === 'string' && OBJECT_ID_HEX.test(value);
}

/**
 * The rules in force on `date`, or today's when no entry reaches back that far: an argument's
 * date must be judged, not turned into a server error because the reference data starts later.
 */
export function rulesOn(ctx: Context, date: Date): TrainingRules {
  try {
    return ctx.rulesAt(date);
  } catch {
    return ctx.rulesAt(ctx.now());
  }
}
