import type { Connection } from 'mongoose';
import type { Loaders } from '../loaders';
import type { PersonnelModels } from '../models';
import type { PersonnelRules } from '../rules/reference';

export interface Context {
  db: Connection;
  models: PersonnelModels;
  loaders: Loaders;
  rules: PersonnelRules;
  /** Now as the subgraph sees it (tests pin it). */
  now: () => Date;
}
