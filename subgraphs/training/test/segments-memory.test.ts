import { createRng, directoryEntryOfRoster, disagreements } from '@civil-service/shared';
import { seedPersonnel } from '@civil-service/personnel';
import { seedTraining } from '../src';
import { trainingSegmentPipeline, trainingSegmentsInMemory } from '../src/analytics/segments';
import { startHarness, TODAY, type Harness } from './helpers';

/**
 * Today's workforce questions are answered from the servants' facts in memory, past days by the
 * pipeline: on the demo data (2,000 servants) both give the same segments, headcounts and measures.
 */
let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  const personnelDb = h.db.useDb(`${h.db.name}_personnel`);
  const { roster, bodies } = await seedPersonnel(personnelDb, { servants: 2000, rng: createRng('1:personnel'), today: TODAY });
  await seedTraining(h.db, { roster, bodies, rng: createRng('1:training'), today: TODAY });
  await h.app.models.Directory.insertMany(roster.map((s, i) => directoryEntryOfRoster(s, i + 1, TODAY)));
});
afterAll(async () => {
  await h?.stop();
});

describe('training segments in memory', () => {
  it('equal the pipeline on every grouping and filter asked today', async () => {
    const rulesOn = (day: Date) => h.app.rulesAt(day);
    const pipeline = trainingSegmentPipeline(h.app.models, rulesOn);
    const memory = trainingSegmentsInMemory(h.app.alertFacts, rulesOn);
    expect((await pipeline({ groupBy: ['REGION'], filter: {}, asOf: TODAY, current: true })).length).toBeGreaterThan(10);
    expect(await disagreements(pipeline, memory, TODAY)).toEqual([]);
  });
});
