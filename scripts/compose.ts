/**
 * `npm run compose`: composes the four subgraph SDLs in schema/ into schema/supergraph.graphql.
 * The supergraph is committed; `test/supergraph.test.ts` fails when it is stale, so whoever
 * changes an SDL re-runs this and commits both.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { composeServices } from '@apollo/composition';
import { Supergraph } from '@apollo/federation-internals';
import { parse, type GraphQLSchema } from 'graphql';

export const REPO_ROOT = path.resolve(__dirname, '..');
export const SCHEMA_DIR = path.join(REPO_ROOT, 'schema');
export const SUPERGRAPH_FILE = path.join(SCHEMA_DIR, 'supergraph.graphql');

/** Subgraph names, in the order they are composed (the order shows in the join__Graph enum). */
export const SUBGRAPH_NAMES = ['personnel', 'training', 'evaluation', 'services-quality'] as const;

/**
 * The URL written into the supergraph for each subgraph. It is a placeholder: the gateway always
 * overrides it from its environment, so the committed file never depends on where things run.
 */
export function placeholderUrl(name: string): string {
  return `http://${name}/graphql`;
}

export interface Composition {
  /** The supergraph SDL; undefined when composition failed. */
  supergraphSdl?: string;
  errors: string[];
  hints: string[];
}

export function composeSupergraph(schemaDir = SCHEMA_DIR): Composition {
  const result = composeServices(
    SUBGRAPH_NAMES.map((name) => ({
      name,
      url: placeholderUrl(name),
      typeDefs: parseSdl(readFileSync(path.join(schemaDir, `${name}.graphql`), 'utf8'), name),
    })),
  );
  const hints = (result.hints ?? []).map((h) => `${h.definition.code}: ${h.message}`);
  if (result.errors) return { errors: result.errors.map((e) => e.message), hints };
  // A trailing newline keeps the committed file friendly to editors and diffs.
  return { supergraphSdl: `${result.supergraphSdl.trimEnd()}\n`, errors: [], hints };
}

function parseSdl(sdl: string, name: string) {
  // Parsed here so a syntax error names the subgraph's file instead of failing inside composition.
  try {
    return parse(sdl);
  } catch (err) {
    throw new Error(`schema/${name}.graphql: ${(err as Error).message}`);
  }
}

/** The schema clients see (federation machinery removed), as graphql-js builds it. */
export function apiSchemaOf(supergraphSdl: string): GraphQLSchema {
  return Supergraph.build(supergraphSdl).apiSchema().toGraphQLJSSchema();
}

export interface SupergraphCheck {
  composition: Composition;
  /** True when the committed file equals a fresh composition. */
  upToDate: boolean;
}

/** Composes afresh and compares with the committed schema/supergraph.graphql. */
export function checkSupergraph(schemaDir = SCHEMA_DIR, file = SUPERGRAPH_FILE): SupergraphCheck {
  const composition = composeSupergraph(schemaDir);
  let committed: string | undefined;
  try {
    committed = readFileSync(file, 'utf8');
  } catch {
    committed = undefined;
  }
  return { composition, upToDate: composition.supergraphSdl !== undefined && committed === composition.supergraphSdl };
}

function main(): void {
  const { supergraphSdl, errors, hints } = composeSupergraph();
  for (const hint of hints) console.warn(`hint: ${hint}`);
  if (!supergraphSdl) {
    console.error(`Composition failed with ${errors.length} error(s):`);
    for (const error of errors) console.error(`  - ${error}`);
    process.exit(1);
  }
  writeFileSync(SUPERGRAPH_FILE, supergraphSdl);
  console.log(`Wrote ${path.relative(process.cwd(), SUPERGRAPH_FILE)} (${SUBGRAPH_NAMES.join(', ')}; ${hints.length} hint(s)).`);
}

if (require.main === module) main();
