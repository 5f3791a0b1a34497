import type { Connection } from 'mongoose';
import type DataLoader from 'dataloader';
import type { DirectoryModels, ResolvedSegment, SegmentComputer } from '@civil-service/shared';
import type { PersonnelMeasures } from '../analytics/workforce';
import type { Loaders } from '../loaders';
import type { PersonnelModels, StateBodyDoc } from '../models';
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
  /** The workforce measures of a question (today's from memory, past days through pipelines). */
  computeSegments: SegmentComputer<PersonnelMeasures>;
  /** Every state body by id, kept in memory with the staff list (bodies change only with it). */
  stateBodies: () => Promise<ReadonlyMap<string, StateBodyDoc>>;
  /** WorkforceSegment references the gateway resolves here: made on first use from a resolver's context. */
  segments: (context: unknown) => DataLoader<string, ResolvedSegment<PersonnelMeasures>>;
}
