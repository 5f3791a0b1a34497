/**
 * `npm run safelist`: writes gateway/safelist.json, the documents the gateway accepts when
 * GATEWAY_SAFELIST names it, from the consumer contract (../shared/contract/*.graphql).
 * `npm run safelist -- --check` only says whether the committed file is up to date (exit 1 if not).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildSafelist, readOperationFiles, serializeSafelist } from '@civil-service/gateway';

const REPO_ROOT = path.resolve(__dirname, '..');
const CONTRACT_DIR = path.resolve(REPO_ROOT, '..', 'shared', 'contract');
const OUT = path.join(REPO_ROOT, 'gateway', 'safelist.json');

const manifest = buildSafelist(readOperationFiles(CONTRACT_DIR));
const text = serializeSafelist(manifest);
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(OUT, 'utf8');
  } catch {
    // A missing file is out of date.
  }
  if (current !== text) {
    console.error(`${path.relative(process.cwd(), OUT)} is out of date with ${CONTRACT_DIR}: run \`npm run safelist\``);
    process.exit(1);
  }
  console.log(`${path.relative(process.cwd(), OUT)} is up to date (${manifest.operations.length} documents)`);
} else {
  writeFileSync(OUT, text);
  console.log(`wrote ${path.relative(process.cwd(), OUT)}: ${manifest.operations.length} documents from ${CONTRACT_DIR}`);
}
