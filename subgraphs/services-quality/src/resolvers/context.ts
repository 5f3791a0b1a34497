import type { DirectoryModels } from '@civil-service/shared';
import type { ServicesQualityModels } from '../models';
import type { Loaders } from '../loaders';
import type { FeedbackRulesAt } from '../rules/feedback';
import type { ViolationRulesAt } from '../rules/violations';

export interface Context {
  models: ServicesQualityModels & DirectoryModels;
  loaders: Loaders;
  /** Today as the resolvers see it; injectable so tests can pin the date. */
  now: () => Date;
  rulesAt: FeedbackRulesAt;
  violationRulesAt: ViolationRulesAt;
  /** Which of these servant ids the directory copy knows (it catches up with personnel once first). */
  knownServants: (ids: readonly string[]) => Promise<Set<string>>;
}

const OBJECT_ID_HEX = /^[0-9a-f]{24}$/i;

export function isObjectIdHex(value: unknown): value is string {
  return typeof value === 'string' && OBJECT_ID_HEX.test(value);
}
