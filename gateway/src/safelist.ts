import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { ApolloServerOptions } from '@apollo/server';
import { Kind, parse, print, visit, type DefinitionNode, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';

export const SAFELIST_FORMAT = 'civil-service-graph-safelist';

/** One document the gateway accepts: `id` is the sha256 (hex) of `body`, byte for byte. */
export interface SafelistEntry {
  id: string;
  /** The contract file, or the operation for a single-operation document. */
  name: string;
  /** The operations `body` holds. */
  operations: string[];
  body: string;
}

export interface SafelistManifest {
  format: typeof SAFELIST_FORMAT;
  version: 1;
  operations: SafelistEntry[];
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Every `.graphql` file of a directory (the contract's), by name. */
export function readOperationFiles(dir: string): Array<{ name: string; text: string }> {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.graphql'))
    .sort()
    .map((name) => ({ name, text: readFileSync(path.join(dir, name), 'utf8') }));
}

/** The operation and, transitively, the fragments it spreads, in the file's order. */
function standalone(op: OperationDefinitionNode, definitions: readonly DefinitionNode[]): string {
  const fragments = new Map(definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
  const used = new Set<string>();
  const collect = (node: OperationDefinitionNode | FragmentDefinitionNode) =>
    visit(node, {
      FragmentSpread(spread) {
        if (used.has(spread.name.value)) return;
        used.add(spread.name.value);
        const fragment = fragments.get(spread.name.value);
        if (fragment) collect(fragment);
      },
    });
  collect(op);
  return print({ kind: Kind.DOCUMENT, definitions: definitions.filter((d) => d === op || (d.kind === Kind.FRAGMENT_DEFINITION && used.has(d.name.value))) });
}

/**
 * The manifest of the given operation files. A client may send a whole file as it is written (the
 * contract's consumers do, with `operationName`), or one operation with the fragments it uses as
 * graphql-js prints it (the body in the manifest); either may instead be named by its hash
 * alone, as an automatic persisted query.
 */
export function buildSafelist(files: Array<{ name: string; text: string }>): SafelistManifest {
  const entries = new Map<string, SafelistEntry>();
  const add = (entry: Omit<SafelistEntry, 'id'>) => {
    const id = sha256(entry.body);
    if (!entries.has(id)) entries.set(id, { id, ...entry });
  };
  for (const file of files) {
    const { definitions } = parse(file.text);
    const ops = definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    add({ name: file.name, operations: ops.map((op) => op.name?.value ?? ''), body: file.text });
    for (const op of ops) add({ name: op.name?.value ?? file.name, operations: [op.name?.value ?? ''], body: standalone(op, definitions) });
  }
  return { format: SAFELIST_FORMAT, version: 1, operations: [...entries.values()] };
}

/** The manifest as written by `npm run safelist`: stable, diffable JSON. */
export function serializeSafelist(manifest: SafelistManifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}

type PersistedQueryCache = NonNullable<Exclude<ApolloServerOptions<Record<string, unknown>>['persistedQueries'], false | undefined>['cache']>;

/** The accepted documents, by hash. */
export class Safelist {
  private readonly bodies: Map<string, string>;

  constructor(manifest: SafelistManifest) {
    this.bodies = new Map(manifest.operations.map((e) => [e.id, e.body]));
  }

  get size(): number {
    return this.bodies.size;
  }

  has(hash: string): boolean {
    return this.bodies.has(hash);
  }

  /**
   * Apollo's persisted-query cache, read from the manifest: a request naming a listed hash alone
   * gets its body, and nothing a client sends is ever stored (Apollo would otherwise remember any
   * document sent with its hash).
   */
  persistedQueryCache(): PersistedQueryCache {
    return {
      // Apollo prefixes its keys (`apq:`); a sha256 in hex has no colon.
      get: async (key: string) => this.bodies.get(key.slice(key.lastIndexOf(':') + 1)),
      set: async () => undefined,
      delete: async () => false,
    };
  }
}

/**
 * Reads and checks a manifest: the format, and that every id is the hash of its body (a hand-edited
 * body with a stale id would otherwise let one document in under another's name). Throws an Error
 * whose message says what is wrong.
 */
export function parseSafelist(json: string): SafelistManifest {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new Error('is not JSON');
  }
  const manifest = value as Partial<SafelistManifest> | null;
  if (manifest?.format !== SAFELIST_FORMAT || manifest.version !== 1 || !Array.isArray(manifest.operations)) {
    throw new Error(`is not a ${SAFELIST_FORMAT} manifest, version 1 (run \`npm run safelist\`)`);
  }
  for (const entry of manifest.operations) {
    if (typeof entry?.body !== 'string' || typeof entry.id !== 'string') throw new Error('has an entry without a string id and body');
    if (sha256(entry.body) !== entry.id) throw new Error(`entry ${entry.name ?? entry.id}: id is not the sha256 of its body`);
  }
  return manifest as SafelistManifest;
}
