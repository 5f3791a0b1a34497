import type { Connection } from 'mongoose';
import { startEmbeddedMongo } from '@civil-service/embedded-mongo';
import { connectDatabase, createRng, directoryCopyFor, directoryEntryOfRoster, disagreements } from '@civil-service/shared';
import { seedPersonnel } from '@civil-service/personnel';
import { seedServicesQuality } from '../src';
import { placementFacts, qualitySegmentComputer, TodaysWindow } from '../src/analytics/segments';
import { registerModels } from '../src/models';

/**
 * Today's workforce questions take their segments from the placements in memory and the window's
 * per-body figures from today's cache, past days from the pipelines: on the demo data (2,000
 * servants) both give the same segments, headcounts and body figures.
 */
const TODAY = new Date(Date.UTC(2026, 10, 24));
let mongo: Awaited<ReturnType<typeof startEmbeddedMongo>>;
let db: Connection;

beforeAll(async () => {
  mongo = await startEmbeddedMongo({ port: 0 });
  db = await connectDatabase({ uri: mongo.uri, dbName: 'sq_segments_memory_test' });
  const { roster, bodies } = await seedPersonnel(db.useDb('sq_segments_memory_personnel'), { servants: 2000, rng: createRng('1:personnel'), today: TODAY });
  await seedServicesQuality(db, { roster, bodies, rng: createRng('1:services-quality'), today: TODAY });
  await directoryCopyFor(db, undefined).models.Directory.insertMany(roster.map((s, i) => directoryEntryOfRoster(s, i + 1, TODAY)));
});
afterAll(async () => {
  await db?.close();
  await mongo?.stop();
});

describe('services-quality segments in memory', () => {
  it('equal the pipeline on every grouping and filter asked today', async () => {
    const directory = directoryCopyFor(db, undefined);
    const models = { ...registerModels(db), ...directory.models };
    const pipeline = qualitySegmentComputer(models);
    const memory = qualitySegmentComputer(models, { placements: placementFacts(db, directory).store, window: new TodaysWindow(models) });
    const regions = await pipeline({ groupBy: ['REGION'], filter: {}, asOf: TODAY, current: true });
    expect(regions.filter((r) => r.measures.averageRating !== null).length).toBeGreaterThan(10);
    expect(await disagreements(pipeline, memory, TODAY)).toEqual([]);
  });
});
