import type { EvaluationModels } from '../models';
import type { Loaders } from '../loaders';
import type { RulesAt } from '../rules/evaluation';

export interface Context {
  models: EvaluationModels;
  loaders: Loaders;
  /** Today as the subgraph sees it (tests pin it). */
  now: () => Date;
  rulesAt: RulesAt;
}

export const OBJECT_ID_HEX = /^[0-9a-f]{24}$/i;

export function isObjectIdHex(value: unknown): value is string {
  return typeof value === 'string' && OBJECT_ID_HEX.test(value);
}
