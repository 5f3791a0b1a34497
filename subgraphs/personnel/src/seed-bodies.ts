import { Types } from 'mongoose';
import { CITIES, REGIONS, type Region, type StateBodyDoc, type StateBodyLevel } from './models';
import { categoriesFor, type CategoryTable, type CorpsCode } from './rules/category';
import { CENTRAL_BODIES, DISTRICT_NETWORK, DISTRICTS, REGION_GENITIVE, SPECIAL_BODIES, UNITS, VILLAGES } from './seed-data';
import type { SeedRng } from './seed-ids';
import { idFactory } from './seed-ids';

/** A body while seeding: its document plus how many servants it draws. */
export interface SeedBody {
  doc: StateBodyDoc;
  /** Relative size among the bodies of its level. */
  weight: number;
  /** Positions of the body, filled while servants are placed. */
  positions: SeedPosition[];
}

export interface SeedPosition {
  _id: Types.ObjectId;
  body: SeedBody;
  title: string;
  categoryCode: string;
  corps: CorpsCode;
  isManagerial: boolean;
  rotationSubject: boolean;
  holderId: Types.ObjectId | null;
  /** Day ranges [start, end] (ms, inclusive; end Infinity while held) already taken by assignments. */
  busy: Array<[number, number]>;
}

/** Share of servants working at each level (e-kyzmet headcount, rounded). */
export const LEVEL_SHARE: Record<StateBodyLevel, number> = {
  CENTRAL: 0.12,
  SPECIAL: 0.03,
  CENTRAL_TERRITORIAL_OBLAST: 0.28,
  CENTRAL_TERRITORIAL_DISTRICT: 0.12,
  LOCAL_OBLAST: 0.1,
  LOCAL_DISTRICT: 0.23,
  LOCAL_RURAL: 0.12,
};

/** Rural akim offices per 100,000 servants (the country has about 2,200). */
const RURAL_PER_100K = 2200;

export function buildBodies(rng: SeedRng, servants: number): SeedBody[] {
  const nextId = idFactory(0x10);
  const bodies: SeedBody[] = [];
  const add = (name: string, level: StateBodyLevel, region: Region, parentId: Types.ObjectId | null, weight: number) => {
    const body: SeedBody = { doc: { _id: nextId(), name, level, region, parentId }, weight, positions: [] };
    bodies.push(body);
    return body;
  };
  const central = CENTRAL_BODIES.map((b) => add(b.name, 'CENTRAL', 'ASTANA', null, 0.5 + rng.next() * 1.5));
  for (const name of SPECIAL_BODIES) add(name, 'SPECIAL', 'ASTANA', null, 0.5 + rng.next());
  const akimats = new Map<Region, SeedBody>();
  for (const region of REGIONS) {
    // Cities of republican significance have larger akimats than their population share suggests.
    akimats.set(region, add(`Акимат ${REGION_GENITIVE[region]}`, 'LOCAL_OBLAST', region, null, CITIES.includes(region) ? 1.5 : 0.8 + rng.next() * 0.6));
  }
  CENTRAL_BODIES.forEach((b, i) => {
    if (!b.network) return;
    for (const region of REGIONS) {
      add(`${b.network} ${REGION_GENITIVE[region]}`, 'CENTRAL_TERRITORIAL_OBLAST', region, central[i].doc._id, 0.6 + rng.next() * 0.8);
    }
  });
  const districts: SeedBody[] = [];
  for (const region of REGIONS) {
    for (const district of DISTRICTS[region]) {
      districts.push(add(`Акимат ${district}`, 'LOCAL_DISTRICT', region, akimats.get(region)!.doc._id, 0.6 + rng.next() * 0.8));
    }
  }
  // State revenue offices exist in every district of the country; the demo keeps as many as the
  // headcount can staff (about one per 500 servants, at least five).
  const revenueUnits = Math.min(districts.length, Math.max(5, Math.round(servants / 500)));
  const finance = central[DISTRICT_NETWORK.parent];
  for (const district of spread(rng, districts, revenueUnits)) {
    const place = district.doc.name.replace(/^Акимат /, '');
    const oblastUnit = bodies.find(
      (b) => b.doc.level === 'CENTRAL_TERRITORIAL_OBLAST' && b.doc.region === district.doc.region && b.doc.parentId?.equals(finance.doc._id),
    );
    add(`${DISTRICT_NETWORK.prefix} ${place}`, 'CENTRAL_TERRITORIAL_DISTRICT', district.doc.region, oblastUnit?.doc._id ?? finance.doc._id, 0.6 + rng.next() * 0.8);
  }
  // Rural districts only exist in the oblasts' districts, not in cities.
  const ruralParents = districts.filter((d) => d.doc.name.endsWith('района'));
  const rural = Math.max(10, Math.round((RURAL_PER_100K * servants) / 100_000));
  const usedVillages = new Map<SeedBody, Set<string>>();
  for (let i = 0; i < rural; i += 1) {
    // Evenly over the districts, so a small demo still has rural offices across the oblasts.
    const district = ruralParents[rural <= ruralParents.length ? Math.floor((i * ruralParents.length) / rural) : i % ruralParents.length];
    const used = usedVillages.get(district) ?? new Set<string>();
    usedVillages.set(district, used);
    let village = rng.pick(VILLAGES);
    for (let tries = 0; used.has(village) && tries < 20; tries += 1) village = rng.pick(VILLAGES);
    used.add(village);
    const place = district.doc.name.replace(/^Акимат /, '');
    add(`Аппарат акима сельского округа ${village} ${place}`, 'LOCAL_RURAL', district.doc.region, district.doc._id, 0.7 + rng.next() * 0.6);
  }
  return bodies;
}

/** `count` items spread evenly over `items` (every k-th, from a random offset). */
function spread<T>(rng: SeedRng, items: readonly T[], count: number): T[] {
  if (count >= items.length) return [...items];
  const step = items.length / count;
  const offset = rng.next() * step;
  return Array.from({ length: count }, (_, i) => items[Math.floor(offset + i * step)]);
}

/** Draws bodies of one level in proportion to their weights. */
export class BodyPicker {
  private readonly byLevel = new Map<StateBodyLevel, { bodies: SeedBody[]; cumulative: number[] }>();
  private readonly levels: StateBodyLevel[];
  private readonly levelCumulative: number[];

  constructor(bodies: readonly SeedBody[]) {
    for (const b of bodies) {
      const entry = this.byLevel.get(b.doc.level) ?? { bodies: [], cumulative: [] };
      const last = entry.cumulative[entry.cumulative.length - 1] ?? 0;
      entry.bodies.push(b);
      entry.cumulative.push(last + b.weight);
      this.byLevel.set(b.doc.level, entry);
    }
    this.levels = [...this.byLevel.keys()];
    let sum = 0;
    this.levelCumulative = this.levels.map((l) => (sum += LEVEL_SHARE[l]));
  }

  level(rng: SeedRng): StateBodyLevel {
    return this.levels[lowerBound(this.levelCumulative, rng.next() * this.levelCumulative[this.levelCumulative.length - 1])];
  }

  body(rng: SeedRng, level: StateBodyLevel, where?: (b: SeedBody) => boolean): SeedBody {
    const entry = this.byLevel.get(level)!;
    for (let tries = 0; tries < 30; tries += 1) {
      const b = entry.bodies[lowerBound(entry.cumulative, rng.next() * entry.cumulative[entry.cumulative.length - 1])];
      if (!where || where(b)) return b;
    }
    const matching = where ? entry.bodies.filter(where) : entry.bodies;
    return rng.pick(matching.length ? matching : entry.bodies);
  }

  all(level: StateBodyLevel): readonly SeedBody[] {
    return this.byLevel.get(level)?.bodies ?? [];
  }
}

function lowerBound(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const TITLES: Record<'A' | 'headBig' | 'deputyBig' | 'head' | 'exec', readonly string[]> = {
  A: ['Руководитель аппарата', 'Ответственный секретарь', 'Председатель комитета', 'Заместитель председателя комитета', 'Руководитель департамента'],
  headBig: ['Директор департамента', 'Руководитель управления'],
  deputyBig: ['Заместитель директора департамента', 'Заместитель руководителя управления'],
  head: ['Руководитель отдела', 'Заместитель руководителя отдела'],
  exec: ['Главный эксперт', 'Главный специалист', 'Ведущий специалист', 'Эксперт', 'Специалист'],
};

/**
 * Creates a position of `body` whose category code fits the body's level under `table`: corps A
 * codes for corps A, otherwise the level's families, with low grades (the senior ones) for
 * managerial posts.
 */
export function makePosition(
  rng: SeedRng,
  nextId: () => Types.ObjectId,
  body: SeedBody,
  table: CategoryTable,
  wants: { corps: CorpsCode; managerial: boolean },
): SeedPosition {
  const corps: CorpsCode = wants.corps === 'A' && categoriesFor(body.doc.level, 'A', table).length ? 'A' : 'B';
  const codes = categoriesFor(body.doc.level, corps, table);
  // A level with two families (D and D-O, E and E-R) mostly uses the first.
  const family = codes[0].replace(/-\d$/, '');
  const ofFamily = rng.chance(0.85) ? codes.filter((c) => c.startsWith(`${family}-`) && c.split('-').length === family.split('-').length + 1) : codes;
  const grades = ofFamily.length ? ofFamily : codes;
  const managerial = corps === 'A' || wants.managerial;
  const split = Math.max(1, Math.floor(grades.length / 2));
  const code = managerial ? grades[rng.int(0, split - 1)] : grades[rng.int(split, grades.length - 1)];
  const grade = Number(code.slice(code.lastIndexOf('-') + 1));
  let title: string;
  if (corps === 'A') title = TITLES.A[Math.min(grade - 1, TITLES.A.length - 1)];
  else if (body.doc.level === 'LOCAL_RURAL' && managerial) title = grade === 1 ? 'Аким сельского округа' : 'Заместитель акима сельского округа';
  else if (managerial) {
    const big = body.doc.level === 'CENTRAL' || body.doc.level === 'SPECIAL' || body.doc.level === 'LOCAL_OBLAST';
    title = `${big ? (grade === 1 ? TITLES.headBig : TITLES.deputyBig)[rng.int(0, 1)] : TITLES.head[grade === 1 ? 0 : 1]} ${big ? '' : 'отдела '}${rng.pick(UNITS)}`.replace('отдела отдела', 'отдела');
  } else title = `${rng.pick(TITLES.exec)} ${body.doc.level === 'LOCAL_RURAL' ? 'аппарата акима' : `отдела ${rng.pick(UNITS)}`}`;
  // The Concept rotates managers of territorial and local bodies first.
  const rotationSubject = managerial && body.doc.level !== 'LOCAL_RURAL' ? rng.chance(0.45) : rng.chance(0.05);
  const position: SeedPosition = {
    _id: nextId(),
    body,
    title: title.replace(/\s+/g, ' ').trim(),
    categoryCode: code,
    corps,
    isManagerial: managerial,
    rotationSubject,
    holderId: null,
    busy: [],
  };
  body.positions.push(position);
  return position;
}

/** Whether a position was free on every day of [start, end]. */
export function isFree(p: SeedPosition, start: number, end: number): boolean {
  return p.busy.every(([s, e]) => end < s || start > e);
}
