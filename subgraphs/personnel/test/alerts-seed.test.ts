import { createRng } from '@civil-service/shared';
import { seedPersonnel } from '../src/seed';
import { startHarness, TODAY, type Harness } from './helpers';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.stop());

const RULES = ['ROTATION_TENURE_EXCEEDED', 'REENTRY_BAR_BREACH', 'CATEGORY_LEVEL_MISMATCH', 'OVERLAPPING_ASSIGNMENTS', 'CORPS_A_WITHOUT_RESERVE'];

it.each([300, 2000])('the demo data of %i servants (seed 1) yields every personnel alert', async (servants) => {
  await seedPersonnel(h.db, { servants, rng: createRng('1:personnel'), today: TODAY });
  const counts: Record<string, number> = {};
  for (const rule of RULES) {
    const res = await h.query<{ personnelAlerts: { totalCount: number } }>('query($f: AlertFilter) { personnelAlerts(filter: $f, first: 1) { totalCount } }', { f: { rules: [rule] } });
    expect(res.errors).toBeUndefined();
    counts[rule] = res.data!.personnelAlerts.totalCount;
  }
  expect(Object.entries(counts).filter(([, n]) => n < 1)).toEqual([]);
});
