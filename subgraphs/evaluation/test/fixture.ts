import type { Harness } from './helpers';
import { day, insertDirectory, type EntrySpec } from './directory';

/**
 * A small hand-built service, today 2026-11-24 (Q4 2026; the latest quarter past its due date is
 * Q3 2026, due 2026-10-20). Expected figures are worked out by hand in the tests.
 *
 * ASTANA, body B1 (under P):
 *   s1  B  2025: 60 62 64 66 -> 63 SATISFACTORY; 2026 Q1-Q3 recorded (no annual yet)
 *   s2  B  2025 Q1: 95 -> OUTSTANDING (the year ended with one quarter); nothing in 2026
 *   s3  B  2025: 75 x4 -> EFFECTIVE; 2026: 40 45 50 45 -> 45 UNSATISFACTORY, Q4 recorded 2026-11-10
 *   s4  A  no quarters
 *   s5  B  2025: 88 90 92 91 -> 90.25 OUTSTANDING; 2026 Q1-Q3 recorded
 *   s6  B  entered 2026-09-01, nothing recorded
 *   a7  A until 2026-10-14, B from 2026-10-15, nothing recorded
 *   s7  B  left 2026-06-30; 2025: 55 x4 -> SATISFACTORY
 * KARAGANDA, body B2:
 *   k1  B  2025: 72 x4 -> EFFECTIVE; 2026 Q1-Q3
 *   k2  B  2024 Q1-Q3: 50 -> SATISFACTORY (the year ended with three quarters); nothing since
 * ALMATY, body B3: z1-z5, B, 2025 scores near the thresholds (bands as the field computes them); 2026 Q1-Q3.
 */
export const NOW = new Date('2026-11-24T09:00:00Z');

export const P = 'f0f0f0f0f0f0f0f0f0f0f0f0';
export const B1 = 'b1b1b1b1b1b1b1b1b1b1b1b1';
export const B2 = 'b2b2b2b2b2b2b2b2b2b2b2b2';
export const B3 = 'b3b3b3b3b3b3b3b3b3b3b3b3';

const id = (n: number) => n.toString(16).padStart(24, '0');
export const S = { s1: id(1), s2: id(2), s3: id(3), s4: id(4), s5: id(5), s6: id(6), a7: id(7), s7: id(8), k1: id(11), k2: id(12) };
export const Z = [id(21), id(22), id(23), id(24), id(25)];

/** Scores near the band thresholds, where the pipeline's arithmetic must match the field's. */
export const Z_SCORES = [
  [70, 70, 70, 69.98],
  [89.995, 90, 90, 90],
  [69.99, 69.99, 70.01, 70.02],
  [69.98, 69.99, 70, 70],
  [33.3, 33.3, 33.4, 100],
];

const since2015 = (stateBodyId: string, region: string, corps = 'B') => [{ from: '2015-01-01', stateBodyId, region, corps }];

export const ENTRIES: EntrySpec[] = [
  { id: S.s1, ancestors: [P], periods: since2015(B1, 'ASTANA') },
  { id: S.s2, ancestors: [P], periods: since2015(B1, 'ASTANA') },
  { id: S.s3, ancestors: [P], periods: since2015(B1, 'ASTANA') },
  { id: S.s4, ancestors: [P], gender: 'MALE', periods: since2015(B1, 'ASTANA', 'A') },
  { id: S.s5, ancestors: [P], periods: since2015(B1, 'ASTANA') },
  { id: S.s6, ancestors: [P], periods: [{ from: '2026-09-01', stateBodyId: B1, region: 'ASTANA' }] },
  {
    id: S.a7,
    ancestors: [P],
    periods: [
      { from: '2020-01-01', to: '2026-10-14', stateBodyId: B1, region: 'ASTANA', corps: 'A' },
      { from: '2026-10-15', stateBodyId: B1, region: 'ASTANA' },
    ],
  },
  { id: S.s7, periods: [{ from: '2015-01-01', to: '2026-06-30', stateBodyId: B1, region: 'ASTANA' }] },
  { id: S.k1, periods: since2015(B2, 'KARAGANDA') },
  { id: S.k2, periods: since2015(B2, 'KARAGANDA') },
  ...Z.map((z) => ({ id: z, periods: since2015(B3, 'ALMATY') })),
];

interface Quarter {
  servantId: string;
  year: number;
  quarter: number;
  score: number;
  recordedAt: Date;
}

const q = (servantId: string, year: number, scores: number[], recordedAt?: Date): Quarter[] =>
  scores.map((score, i) => ({ servantId, year, quarter: i + 1, score, recordedAt: recordedAt ?? day(`${year}-${String((i + 1) * 3).padStart(2, '0')}-25`) }));

export const QUARTERS: Quarter[] = [
  ...q(S.s1, 2025, [60, 62, 64, 66]),
  ...q(S.s1, 2026, [80, 85, 85]),
  ...q(S.s2, 2025, [95]),
  ...q(S.s3, 2025, [75, 75, 75, 75]),
  ...q(S.s3, 2026, [40, 45, 50]),
  { servantId: S.s3, year: 2026, quarter: 4, score: 45, recordedAt: new Date('2026-11-10T10:00:00Z') },
  ...q(S.s5, 2025, [88, 90, 92, 91]),
  ...q(S.s5, 2026, [85, 85, 85]),
  ...q(S.s7, 2025, [55, 55, 55, 55]),
  ...q(S.k1, 2025, [72, 72, 72, 72]),
  ...q(S.k1, 2026, [72, 72, 72]),
  ...q(S.k2, 2024, [50, 50, 50]),
  ...Z.flatMap((z, i) => [...q(z, 2025, Z_SCORES[i]), ...q(z, 2026, [80, 80, 80])]),
];

export async function loadFixture(h: Harness): Promise<void> {
  await insertDirectory(h.subgraph.models, ENTRIES);
  await h.subgraph.models.QuarterlyEvaluation.insertMany(QUARTERS);
}
