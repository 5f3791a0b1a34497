import type { Connection } from 'mongoose';
import type { DirectoryModels } from '@civil-service/shared';
import type { Loaders } from '../loaders';
import type { PersonnelModels } from '../models';
import type { PersonnelRules } from '../rules/reference';

export interface Context {
  db: Connection;
  models: PersonnelModels;
  /** The master copy of the servant directory (written with every personnel action that changes it). */
  directory: DirectoryModels;
  loaders: Loaders;
  rules: PersonnelRules;
  /** Now as the subgraph sees it (tests pin it). */
  now: () => Date;
  /** Smallest workforce segment shown to roles other than monitoring (ANALYTICS_MIN_CELL). */
  minCell: number;
}
