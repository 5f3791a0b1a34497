import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Kind, parse } from 'graphql';
import { buildSafelist, parseSafelist, readOperationFiles, Safelist, serializeSafelist, sha256 } from '../src';

const REPO_ROOT = path.resolve(__dirname, '..', '..');
const CONTRACT_DIR = path.resolve(REPO_ROOT, '..', 'shared', 'contract');
const COMMITTED = path.join(REPO_ROOT, 'gateway', 'safelist.json');

describe('the safelist manifest', () => {
  const files = readOperationFiles(CONTRACT_DIR);
  const manifest = buildSafelist(files);

  it('gateway/safelist.json is up to date with the contract (else run `npm run safelist`)', () => {
    expect(readFileSync(COMMITTED, 'utf8')).toBe(serializeSafelist(manifest));
  });

  it('holds each contract file as written and each operation alone with the fragments it uses', () => {
    for (const file of files) {
      const whole = manifest.operations.find((e) => e.name === file.name);
      expect(whole?.body).toBe(file.text);
      expect(whole?.id).toBe(sha256(file.text));
      for (const name of whole!.operations) {
        const alone = manifest.operations.find((e) => e.name === name && e.operations.length === 1);
        const definitions = parse(alone!.body).definitions;
        expect(definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION).map((d) => 'name' in d && d.name?.value)).toEqual([name]);
      }
    }
    const alerts = manifest.operations.find((e) => e.name === 'ComplianceAlerts');
    expect(parse(alerts!.body).definitions.map((d) => d.kind)).toEqual([Kind.OPERATION_DEFINITION, Kind.FRAGMENT_DEFINITION]);
    expect(new Set(manifest.operations.map((e) => e.id)).size).toBe(manifest.operations.length);
  });

  it('is read back as written, and refused when altered', () => {
    expect(parseSafelist(serializeSafelist(manifest))).toEqual(manifest);
    const altered = structuredClone(manifest);
    altered.operations[0].body += '\nquery Sneaky { __typename }';
    expect(() => parseSafelist(JSON.stringify(altered))).toThrow(/not the sha256 of its body/);
    expect(() => parseSafelist('{"format":"apollo-persisted-query-manifest","version":1,"operations":[]}')).toThrow(/not a civil-service-graph-safelist manifest/);
    expect(() => parseSafelist('nope')).toThrow(/not JSON/);
  });

  it('serves listed bodies to Apollo’s persisted-query lookup and stores nothing', async () => {
    const safelist = new Safelist(manifest);
    const cache = safelist.persistedQueryCache();
    const [entry] = manifest.operations;
    expect(safelist.has(entry.id)).toBe(true);
    expect(await cache.get(`apq:${entry.id}`)).toBe(entry.body);
    await cache.set(`apq:${sha256('{ __typename }')}`, '{ __typename }');
    expect(await cache.get(`apq:${sha256('{ __typename }')}`)).toBeUndefined();
    expect(safelist.has(sha256('{ __typename }'))).toBe(false);
  });
});
