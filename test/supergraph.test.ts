import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, validate } from 'graphql';
import { apiSchemaOf, checkSupergraph, REPO_ROOT, SUPERGRAPH_FILE } from '../scripts/compose';

/**
 * schema/supergraph.graphql is generated but committed: it must compose without errors, equal a
 * fresh composition of the four SDLs, and accept every consumer operation exactly as written.
 */
const CONTRACT_DIR = path.resolve(REPO_ROOT, '..', 'shared', 'contract');

const contractFiles = readdirSync(CONTRACT_DIR).filter((f) => f.endsWith('.graphql'));

describe('schema/supergraph.graphql', () => {
  const check = checkSupergraph();

  it('composes without errors', () => {
    expect(check.composition.errors).toEqual([]);
  });

  it('is up to date with the subgraph SDLs (run `npm run compose` and commit it)', () => {
    expect(check.upToDate).toBe(true);
  });

  it('finds the contract operations beside the repository', () => {
    expect(contractFiles).toEqual(expect.arrayContaining(['profile.graphql', 'directory.graphql', 'writes.graphql', 'analytics.graphql']));
  });

  const apiSchema = () => apiSchemaOf(readFileSync(SUPERGRAPH_FILE, 'utf8'));

  it.each(contractFiles)('accepts every operation of %s as written', (file) => {
    const document = parse(readFileSync(path.join(CONTRACT_DIR, file), 'utf8'));
    expect(document.definitions.length).toBeGreaterThan(0);
    expect(validate(apiSchema(), document).map((e) => e.message)).toEqual([]);
  });
});

/** The SDL descriptions are the API's documentation: every type and field carries one. */
describe('subgraph SDL documentation', () => {
  it.each(['personnel', 'training', 'evaluation', 'services-quality'])('describes every type and field of %s', (name) => {
    const document = parse(readFileSync(path.join(REPO_ROOT, 'schema', `${name}.graphql`), 'utf8'));
    const undocumented: string[] = [];
    for (const definition of document.definitions) {
      if (!('name' in definition) || !definition.name || definition.kind.endsWith('Extension')) continue;
      const type = definition.name.value;
      if (!('description' in definition) || !definition.description) undocumented.push(type);
      const fields = 'fields' in definition ? (definition.fields ?? []) : [];
      for (const field of fields) if (!field.description) undocumented.push(`${type}.${field.name.value}`);
    }
    expect(undocumented).toEqual([]);
  });
});
