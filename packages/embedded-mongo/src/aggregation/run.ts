import type { Document } from 'bson';
import { Aggregator, ProcessingMode } from 'mingo';
import { isPlainObject } from '../storage/values';
import { Unsupported } from './expression';
import { compileStages, type CompileOptions, type StageFn } from './stages';

/**
 * The two aggregation engines over an array of query-form documents: the compiled fast path and
 * mingo. The server tries the first and falls back to the second when a pipeline uses anything
 * the compiler does not know, so a pipeline outside the subset behaves exactly as before.
 */

export type Resolver = (collection: string) => Document[];

const noCollections: Resolver = () => [];

/** The compiled pipeline, or undefined when some stage, operator or option is outside the subset. */
export function compilePipeline(pipeline: Document[], resolve: Resolver = noCollections, indexedEqual?: CompileOptions['indexedEqual']): StageFn | undefined {
  try {
    return compileStages(pipeline, { resolve, indexedEqual });
  } catch (err) {
    if (err instanceof Unsupported) return undefined;
    throw err;
  }
}

/** Runs `pipeline` compiled; throws when it cannot be compiled (tests and benches call this directly). */
export function runFast(docs: Document[], pipeline: Document[], resolve: Resolver = noCollections): Document[] {
  const run = compilePipeline(pipeline, resolve);
  if (!run) throw new Error(`pipeline is outside the compiled subset: ${JSON.stringify(pipeline)}`);
  return run(docs);
}

export interface MingoOptions {
  resolve?: Resolver;
  variables?: Document;
  /** The caller vouches that no stage writes into its input documents (see runsWithoutCopy). */
  copyFree?: boolean;
}

export function runMingo(docs: Document[], pipeline: Document[], opts: MingoOptions = {}): Document[] {
  const aggregator = new Aggregator(pipeline, {
    processingMode: opts.copyFree ? ProcessingMode.CLONE_OFF : ProcessingMode.CLONE_INPUT,
    variables: opts.variables,
    collectionResolver: opts.resolve ?? noCollections,
  });
  return aggregator.run(docs) as Document[];
}

/**
 * Stages that never write into the documents they are given (mingo copies before it changes a
 * document's top level), so mingo can run on the stored documents without a deep copy of
 * each: a deep copy of every input was most of an aggregation's time and garbage. Anything else
 * (dotted $set paths, $unwind options that edit in place, window stages...) gets the copy.
 */
const COPY_FREE_STAGES = new Set(['$match', '$project', '$group', '$sort', '$limit', '$skip', '$count', '$sortByCount', '$bucket', '$replaceRoot', '$replaceWith']);

function topLevelOnly(spec: unknown): boolean {
  return isPlainObject(spec) && Object.keys(spec).every((k) => !k.includes('.'));
}

export function runsWithoutCopy(pipeline: readonly Document[]): boolean {
  return pipeline.every((stage) => {
    const [op] = Object.keys(stage);
    const spec = stage[op] as unknown;
    if (COPY_FREE_STAGES.has(op)) return true;
    if (op === '$addFields' || op === '$set') return topLevelOnly(spec);
    if (op === '$unwind') return typeof spec === 'string' || (isPlainObject(spec) && spec.includeArrayIndex === undefined && spec.preserveNullAndEmptyArrays !== true);
    if (op === '$lookup') return isPlainObject(spec) && (spec.pipeline === undefined || (Array.isArray(spec.pipeline) && runsWithoutCopy(spec.pipeline as Document[])));
    if (op === '$facet') return isPlainObject(spec) && Object.values(spec).every((sub) => Array.isArray(sub) && runsWithoutCopy(sub as Document[]));
    return false;
  });
}
