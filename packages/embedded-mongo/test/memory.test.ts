import v8 from 'node:v8';
import vm from 'node:vm';
import { ObjectId } from 'bson';
import { Collection } from '../src/storage/collection';
import type { IndexSpec } from '../src/storage/mutation';

/**
 * What the engine holds per document beside the document itself (its keys, index entries and
 * maps). At 100,000 servants personnel's server keeps ~2 million documents, and every full garbage
 * collection walks all of it: 5.3 GB and 3.8 s per full collection before keys were flattened
 * and non-unique compound indexes stopped keeping unique-check keys, 3.1 GB and 1.7 s after
 * (packages/embedded-mongo/README.md). The budgets sit between the two, on 20,000 documents.
 */
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const N = 20_000;

function bytesPerDocument(indexes: IndexSpec[]): number {
  const docs = Array.from({ length: N }, (_, i) => ({ _id: new ObjectId(), servantId: new ObjectId(), at: new Date(1e12 + i * 1000), seq: i }));
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  const coll = new Collection('db', 'audit');
  for (const spec of indexes) coll.buildIndex(spec);
  for (const doc of docs) coll.put(doc);
  gc();
  gc();
  const perDoc = (process.memoryUsage().heapUsed - before) / N;
  expect(coll.docs.size).toBe(N);
  return perDoc;
}

describe('storage overhead per document', () => {
  it('an ObjectId _id costs a flat key, not a rope of strings (693 bytes a document before)', () => {
    expect(bytesPerDocument([])).toBeLessThan(400);
  });

  it('an index on an ObjectId field adds one flat key per value (1,026 bytes with it before)', () => {
    expect(bytesPerDocument([{ name: 'servantId_1', key: { servantId: 1 } }])).toBeLessThan(600);
  });

  it('a non-unique compound index keeps no unique-check keys (2,001 bytes with it before, 1,120 with flat keys alone)', () => {
    expect(bytesPerDocument([{ name: 'servantId_1_seq_-1', key: { servantId: 1, seq: -1 } }])).toBeLessThan(950);
  });

  it('a date index keys by flat strings too (833 bytes with it before)', () => {
    expect(bytesPerDocument([{ name: 'at_1', key: { at: 1 } }])).toBeLessThan(550);
  });
});
