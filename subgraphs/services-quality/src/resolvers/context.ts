import type { ServicesQualityModels } from '../models';
import type { Loaders } from '../loaders';
import type { FeedbackRulesAt } from '../rules/feedback';

export interface Context {
  models: ServicesQualityModels;
  loaders: Loaders;
  /** Today as the resolvers see it; injectable so tests can pin the date. */
  now: () => Date;
  rulesAt: FeedbackRulesAt;
}

const OBJECT_ID_HEX = /^[0-9a-f]{24}$/i;

export function isObjectIdHex(value: unknown): value is string {
  return typeof value === 'string' && OBJECT_ID_HEX.test(value);
}
