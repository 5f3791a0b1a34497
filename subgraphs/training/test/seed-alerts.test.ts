import { createRng, directoryEntryOfRoster } from '@civil-service/shared';
import { seedPersonnel } from '@civil-service/personnel';
import { seedTraining } from '../src';
import { startHarness, TODAY, type Harness } from './helpers';

/**
 * The demo data must show both training alerts at the test stack's size (300 servants, seed 1) and
 * at `npm start`'s 2,000. The stack's directory copy comes from personnel's feed; here it is built
 * from personnel's roster (`entryOfRoster`), as the seeder itself sees the servants.
 */
let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.stop();
});

async function alertCounts(servants: number, seed: number) {
  const personnelDb = h.db.useDb(`${h.db.name}_personnel_${servants}`);
  const { roster, bodies } = await seedPersonnel(personnelDb, { servants, rng: createRng(`${seed}:personnel`), today: TODAY });
  await seedTraining(h.db, { roster, bodies, rng: createRng(`${seed}:training`), today: TODAY });
  await h.app.models.Directory.deleteMany({});
  await h.app.models.Directory.insertMany(roster.map((s, i) => directoryEntryOfRoster(s, i + 1, TODAY)));
  const count = async (rule: string) => {
    const res = await h.query<{ trainingAlerts: { totalCount: number } }>('query($r: [AlertRule!]) { trainingAlerts(filter: { rules: $r }, first: 0) { totalCount } }', { r: [rule] });
    expect(res.errors).toBeUndefined();
    return res.data!.trainingAlerts.totalCount;
  };
  const inService = roster.filter((s) => s.status === 'ACTIVE' || s.status === 'ON_LEAVE').length;
  return { inService, training: await count('TRAINING_OVERDUE'), retraining: await count('RETRAINING_OVERDUE') };
}

describe('demo data', () => {
  it.each([
    [300, 1],
    [2000, 1],
  ])('shows both alert rules at %i servants (seed %i)', async (servants, seed) => {
    const counts = await alertCounts(servants, seed);
    expect(counts.training).toBeGreaterThan(0);
    expect(counts.retraining).toBeGreaterThan(0);
    // Alerts for a minority, not for everyone (seed 1: 51 and 5 of 260; 318 and 54 of 1,766).
    expect(counts.training).toBeLessThan(counts.inService * 0.3);
    expect(counts.retraining).toBeLessThan(counts.inService * 0.1);
  });
});
