import { createRng, directoryEntryOfRoster, disagreements } from '@civil-service/shared';
import { seedPersonnel } from '@civil-service/personnel';
import { seedEvaluation } from '../src';
import { evaluationSegmentPipeline, evaluationSegmentsInMemory } from '../src/analytics/segments';
import { startHarness, type Harness } from './helpers';

/**
 * Today's workforce questions are answered from the servants' facts in memory, past days by the
 * pipeline: on the demo data (2,000 servants) both give the same segments, headcounts and bands.
 */
const TODAY = new Date(Date.UTC(2026, 10, 24));
let h: Harness;

beforeAll(async () => {
  h = await startHarness(TODAY);
  const personnelDb = h.db.useDb(`${h.db.name}_personnel`);
  const { roster, bodies } = await seedPersonnel(personnelDb, { servants: 2000, rng: createRng('1:personnel'), today: TODAY });
  await seedEvaluation(h.db, { roster, bodies, rng: createRng('1:evaluation'), today: TODAY });
  await h.subgraph.models.Directory.insertMany(roster.map((s, i) => directoryEntryOfRoster(s, i + 1, TODAY)));
});
afterAll(() => h?.close());

describe('evaluation segments in memory', () => {
  it('equal the pipeline on every grouping and filter asked today', async () => {
    const pipeline = evaluationSegmentPipeline(h.subgraph.models, h.subgraph.rulesAt);
    const memory = evaluationSegmentsInMemory(h.subgraph.alertFacts, h.subgraph.rulesAt);
    const all = await pipeline({ groupBy: [], filter: {}, asOf: TODAY, current: true });
    expect(all[0].measures.assessmentRequiredCount).toBeGreaterThan(0);
    expect(await disagreements(pipeline, memory, TODAY)).toEqual([]);
  });
});
