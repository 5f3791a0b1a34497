import type { Document } from 'bson';

/** Seeded directory entries shared by the in-process benches (aggregate.ts, filter.ts). */

const REGIONS = 20;
const BODIES = 3000;
export const DAY = 86_400_000;

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Directory entries shaped like packages/shared/src/directory/model.ts: three periods each, the last one open. */
export function directory(n: number): Document[] {
  const rng = seeded(7);
  const docs: Document[] = [];
  for (let i = 0; i < n; i++) {
    const periods = [];
    let from = Date.UTC(2005, 0, 1) + Math.floor(rng() * 3000) * DAY;
    for (let p = 0; p < 3; p++) {
      const body = Math.floor(rng() * BODIES);
      const to = p < 2 ? from + Math.floor(200 + rng() * 2000) * DAY : null;
      periods.push({
        from: new Date(from),
        to: to === null ? null : new Date(to),
        positionId: `pos-${i}-${p}`,
        stateBodyId: `body-${body}`,
        stateBodyLevel: body % 3 === 0 ? 'CENTRAL' : 'LOCAL',
        region: `region-${body % REGIONS}`,
        corps: rng() < 0.1 ? 'A' : 'B',
        categoryCode: `C-${1 + Math.floor(rng() * 4)}`,
        managerial: rng() < 0.2,
        rotationSubject: false,
      });
      if (to !== null) from = to + DAY;
    }
    const last = periods[2];
    docs.push({
      _id: i.toString(16).padStart(24, '0'),
      seq: i + 1,
      changedAt: new Date(Date.UTC(2024, 0, 1)),
      status: 'ACTIVE',
      gender: rng() < 0.55 ? 'FEMALE' : 'MALE',
      birthYear: 1960 + Math.floor(rng() * 45),
      entryDate: periods[0].from,
      stateBodyId: last.stateBodyId,
      stateBodyLevel: last.stateBodyLevel,
      region: last.region,
      corps: last.corps,
      categoryCode: last.categoryCode,
      bodyChain: [last.stateBodyId],
      periods,
    });
  }
  return docs;
}
