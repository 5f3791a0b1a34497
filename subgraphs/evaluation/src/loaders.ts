import type DataLoader from 'dataloader';
import { createEntityLoader, createGroupLoader, lazySegmentLoader, type ResolvedSegment, type SegmentComputer, type SegmentOptions } from '@civil-service/shared';
import type { EvaluationMeasures } from './analytics/segments';
import type {
  AssessmentDoc,
  CompetencyAssessmentDoc,
  CompetencyDoc,
  EvaluationModels,
  QuarterlyEvaluationDoc,
} from './models';

export type QuarterRow = Pick<QuarterlyEvaluationDoc, 'servantId' | 'year' | 'quarter' | 'score'>;
export type AssessmentRow = Pick<AssessmentDoc, 'servantId' | 'assessedOn' | 'result'>;
export type CompetencyAssessmentRow = Pick<
  CompetencyAssessmentDoc,
  'servantId' | 'competencyCode' | 'level' | 'assessedOn'
>;
export type CompetencyRow = Pick<CompetencyDoc, 'code' | 'name' | 'cluster' | 'description'>;

export interface Loaders {
  quartersByServant: DataLoader<string, QuarterRow[]>;
  assessmentsByServant: DataLoader<string, AssessmentRow[]>;
  competencyAssessmentsByServant: DataLoader<string, CompetencyAssessmentRow[]>;
  competencyByCode: DataLoader<string, CompetencyRow | null>;
  /**
   * WorkforceSegment keys: every segment of a question from one computation. Takes the context a
   * resolver is given, which carries the caller (whose role decides suppression): Apollo hands
   * resolvers a copy of the object the context function built, and authenticates on that copy.
   */
  segments(context: object): DataLoader<string, ResolvedSegment<EvaluationMeasures>>;
}

/** What the segment loader needs: the computer and the suppression options. */
export interface SegmentLoaderSource extends SegmentOptions {
  compute: SegmentComputer<EvaluationMeasures>;
}

/**
 * Asks for a loader's whole answer in the first reply. The server's default first batch is 101
 * documents, so without it 50 servants' quarters (200 rows) cost a `getMore` more than 5 servants'
 * do, and round trips grow with the page; the 16 MB reply limit still bounds a batch.
 */
export const ONE_REPLY = 100_000;

const COMPETENCY_FIELDS = { _id: 0, code: 1, name: 1, cluster: 1, description: 1 } as const;
export { COMPETENCY_FIELDS };

/**
 * Per-request loaders: however many servants a request (or a gateway `_entities` batch) touches,
 * each collection is read with one `$in` query, and only the fields the schema exposes.
 */
export function createLoaders(models: EvaluationModels, analytics: SegmentLoaderSource): Loaders {
  const quartersByServant = createGroupLoader<QuarterRow>(
    (ids) =>
      models.QuarterlyEvaluation.find(
        { servantId: { $in: [...ids] } },
        { _id: 0, servantId: 1, year: 1, quarter: 1, score: 1 },
      )
        .batchSize(ONE_REPLY)
        .lean<QuarterRow[]>()
        .exec(),
    (row) => row.servantId,
  );

  const assessmentsByServant = createGroupLoader<AssessmentRow>(
    (ids) =>
      models.Assessment.find({ servantId: { $in: [...ids] } }, { _id: 0, servantId: 1, assessedOn: 1, result: 1 })
        .sort({ servantId: 1, assessedOn: -1 })
        .batchSize(ONE_REPLY)
        .lean<AssessmentRow[]>()
        .exec(),
    (row) => row.servantId,
  );

  const competencyAssessmentsByServant = createGroupLoader<CompetencyAssessmentRow>(
    (ids) =>
      models.CompetencyAssessment.find(
        { servantId: { $in: [...ids] } },
        { _id: 0, servantId: 1, competencyCode: 1, level: 1, assessedOn: 1 },
      )
        .batchSize(ONE_REPLY)
        .lean<CompetencyAssessmentRow[]>()
        .exec(),
    (row) => row.servantId,
  );

  const competencyByCode = createEntityLoader<CompetencyRow>(
    (codes) =>
      models.Competency.find({ code: { $in: [...codes] } }, COMPETENCY_FIELDS)
        .batchSize(ONE_REPLY)
        .lean<CompetencyRow[]>()
        .exec(),
    (row) => row.code,
  );

  const { compute, ...options } = analytics;

  return {
    quartersByServant,
    assessmentsByServant,
    competencyAssessmentsByServant,
    competencyByCode,
    segments: lazySegmentLoader(compute, options),
  };
}
