import { Types, type Connection, type Model } from 'mongoose';
import { addUtcMonths, BatchWriter, datedIdFactory, renewCounter, utcDay, type Rng, type RosterEntry, type StateBodyEntry } from '@civil-service/shared';
import { FEEDBACK_COUNTER, registerModels, REQUEST_TOTALS_COUNTER, VIOLATION_TYPES, type FeedbackDoc, type PublicServiceDoc, type RequestTotalDoc, type ServiceRequestStatDoc, type ViolationDoc } from './models';
import { FEEDBACK_COMMENTS, SERVICE_CATALOGUE, VIOLATION_DESCRIPTIONS, type ServiceTemplate } from './seed-catalogue';
import { violationRulesLookup } from './rules/violations';

export interface SeedServicesQualityOptions {
  roster: readonly RosterEntry[];
  bodies: readonly StateBodyEntry[];
  rng: Rng;
  onProgress?: (servantsProcessed: number) => void;
  /** The day the demo data is as of; the same seed and day give the same data. */
  today?: Date;
  batchSize?: number;
}

export interface SeedServicesQualityCounts {
  publicServices: number;
  serviceRequestStats: number;
  requestTotals: number;
  feedback: number;
  violations: number;
}

type StatRow = ServiceRequestStatDoc & { _id: Types.ObjectId };
type TotalRow = RequestTotalDoc & { _id: Types.ObjectId };

/** Levels of bodies where citizens receive services (central bodies own standards, not counters). */
const DELIVERY_LEVELS = new Set(['CENTRAL_TERRITORIAL_OBLAST', 'CENTRAL_TERRITORIAL_DISTRICT', 'LOCAL_OBLAST', 'LOCAL_DISTRICT', 'LOCAL_RURAL']);
/** Share of active corps B staff of a delivering body who handle applicants themselves. */
const FRONT_OFFICE_SHARE = 0.25;
/** Quarters of history: this year and last, so every contract year query has figures. */
const QUARTERS = 8;
/** Chance of a detected violation per body, service and quarter (before the repeat offenders). */
const VIOLATION_RATE = 0.04;
/** One front-office servant in this many is a repeat offender (at least two in any demo). */
const REPEAT_OFFENDER_EVERY = 100;
const DAY_MS = 86_400_000;
const PROGRESS_EVERY = 1000;

async function clear(model: Model<never>): Promise<void> {
  // Dropping is far cheaper than deleting hundreds of thousands of documents; indexes follow the load.
  await model.collection.drop().catch((err: { code?: number; codeName?: string }) => {
    if (err.code !== 26 && err.codeName !== 'NamespaceNotFound') throw err;
  });
}

/** The last `count` calendar quarters up to today's, oldest first, as [year, month of quarter end]. */
function recentQuarters(today: Date, count: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let year = today.getUTCFullYear();
  let quarter = Math.floor(today.getUTCMonth() / 3) + 1;
  for (let i = 0; i < count; i++) {
    out.unshift([year, quarter * 3]);
    quarter -= 1;
    if (quarter === 0) {
      quarter = 4;
      year -= 1;
    }
  }
  return out;
}

/** A day of the quarter ending in `monthEnd`, never after today. */
function dayIn(rng: Rng, year: number, monthEnd: number, today: Date): Date {
  const start = Date.UTC(year, monthEnd - 3, 1);
  const end = Math.min(Date.UTC(year, monthEnd, 1), today.getTime() + 1);
  return utcDay(new Date(start + Math.floor(rng.next() * Math.max(1, end - start))));
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * Writes the public-service register, quarterly request statistics of every delivering body (part
 * of them attributed to front-office servants), citizens' feedback and violations, clearing this
 * subgraph's collections first. Deterministic for a given rng and `today`.
 */
export async function seedServicesQuality(
  db: Connection,
  { roster, bodies, rng, onProgress, today: todayOption, batchSize = 5000 }: SeedServicesQualityOptions,
): Promise<{ counts: SeedServicesQualityCounts }> {
  const models = registerModels(db);
  const all = Object.values(models) as Model<never>[];
  for (const model of all) await clear(model);
  const today = utcDay(todayOption ?? new Date());

  const central = bodies.filter((b) => b.level === 'CENTRAL');
  const services: PublicServiceDoc[] = SERVICE_CATALOGUE.map((t) => ({
    _id: t.code,
    name: t.name,
    channels: t.channels,
    standardDeadlineDays: t.standardDeadlineDays,
    isElectronic: t.channels.includes('EGOV_PORTAL') || t.channels.includes('MOBILE'),
    providerStateBodyId: central.length > 0 ? rng.pick(central).id : null,
  }));
  // Forty-odd documents: validated through mongoose, unlike the bulk collections below.
  await models.PublicService.insertMany(services);

  const servicesByLevel = new Map<string, ServiceTemplate[]>();
  for (const t of SERVICE_CATALOGUE) for (const level of t.deliveredAt) push(servicesByLevel, level, t);

  const frontOfficeByBody = new Map<string, RosterEntry[]>();
  let sinceProgress = 0;
  for (const r of roster) {
    if (r.status === 'ACTIVE' && r.corps === 'B' && DELIVERY_LEVELS.has(r.stateBodyLevel) && rng.chance(FRONT_OFFICE_SHARE)) {
      push(frontOfficeByBody, r.stateBodyId, r);
    }
    sinceProgress += 1;
    if (sinceProgress >= PROGRESS_EVERY) {
      onProgress?.(sinceProgress);
      sinceProgress = 0;
    }
  }

  const stats = new BatchWriter<StatRow>(models.ServiceRequestStat as unknown as Model<never>, batchSize);
  const feedback = new BatchWriter<FeedbackDoc>(models.Feedback as unknown as Model<never>, batchSize);
  const violations = new BatchWriter<ViolationDoc>(models.Violation as unknown as Model<never>, batchSize);
  const statId = datedIdFactory(0x5e5101);
  const feedbackId = datedIdFactory(0x5e5102);
  const violationId = datedIdFactory(0x5e5103);
  const violation = (stateBodyId: string, serviceCode: string, servantId: string | null, detectedOn: Date): ViolationDoc => {
    const type = rng.pick(VIOLATION_TYPES);
    return { _id: violationId(detectedOn), stateBodyId, serviceCode, servantId, type, detectedOn, description: VIOLATION_DESCRIPTIONS[type] };
  };

  // Monthly body totals beside the rows (see RequestTotalDoc), summed as the rows are made.
  const totals = new Map<string, RequestTotalDoc>();
  const quarters = recentQuarters(today, QUARTERS);
  for (const body of bodies) {
    const offered = servicesByLevel.get(body.level);
    if (!offered || offered.length === 0) continue;
    const handled = new Set(Array.from({ length: Math.min(3, offered.length) }, () => rng.pick(offered)));
    const staff = frontOfficeByBody.get(body.id) ?? [];
    const scale = body.level === 'LOCAL_RURAL' ? 20 : body.level === 'LOCAL_OBLAST' ? 400 : 150;
    for (const service of handled) {
      const punctuality = 0.85 + rng.next() * 0.14;
      for (const [year, month] of quarters) {
        const at = new Date(Date.UTC(year, month - 1, 1));
        const requests = rng.int(scale / 2, scale * 2);
        const onTime = Math.round(requests * punctuality);
        const totalKey = `${body.id}|${year}|${month}`;
        const total = totals.get(totalKey) ?? { stateBodyId: body.id, year, month, requests: 0, onTime: 0 };
        totals.set(totalKey, total);
        // Split the body's requests between the named front-office staff and the rest.
        const attributed = staff.length > 0 ? Math.floor(requests * 0.6) : 0;
        let left = attributed;
        let attributedOnTime = 0;
        for (let i = 0; i < staff.length; i++) {
          const share = i === staff.length - 1 ? left : Math.floor(attributed / staff.length);
          left -= share;
          if (share === 0) continue;
          const shareOnTime = Math.round(share * punctuality);
          attributedOnTime += shareOnTime;
          await stats.add({ _id: statId(at), stateBodyId: body.id, serviceCode: service.code, servantId: staff[i].servantId, year, month, requests: share, onTime: shareOnTime });
        }
        const rest = requests - attributed;
        const restOnTime = Math.min(rest, Math.max(0, onTime - attributedOnTime));
        await stats.add({ _id: statId(at), stateBodyId: body.id, serviceCode: service.code, servantId: null, year, month, requests: rest, onTime: restOnTime });
        total.requests += requests;
        total.onTime += attributedOnTime + restOnTime;

        const responses = rng.int(0, Math.max(1, Math.round(requests / 40)));
        for (let k = 0; k < responses; k++) {
          const wasOnTime = rng.chance(punctuality);
          const submittedOn = dayIn(rng, year, month, today);
          await feedback.add({
            _id: feedbackId(submittedOn),
            serviceCode: service.code,
            stateBodyId: body.id,
            servantId: staff.length > 0 && rng.chance(0.5) ? rng.pick(staff).servantId : null,
            rating: wasOnTime ? rng.pick([5, 5, 5, 4, 4, 4, 3, 5, 4, 2]) : rng.pick([1, 2, 2, 3, 3, 4]),
            onTime: wasOnTime,
            comment: rng.chance(0.3) ? rng.pick(FEEDBACK_COMMENTS) : null,
            submittedOn,
          });
        }
        if (rng.chance(VIOLATION_RATE)) {
          const servantId = staff.length > 0 && rng.chance(0.7) ? rng.pick(staff).servantId : null;
          await violations.add(violation(body.id, service.code, servantId, dayIn(rng, year, month, today)));
        }
      }
    }
  }
  // A few servants with repeated violations, so that monitoring has something to flag: each gets
  // the rule's threshold of violations inside the rule's window as of the seeding day (the rule is
  // reference data; the violations are spread over the window, so they age out as the demo does).
  const rule = violationRulesLookup()(today);
  const windowDays = Math.round((today.getTime() - addUtcMonths(today, -rule.windowMonths).getTime()) / DAY_MS);
  const staffed = [...frontOfficeByBody.values()].flat();
  const offenders = Math.min(staffed.length, Math.max(2, Math.ceil(staffed.length / REPEAT_OFFENDER_EVERY)));
  for (let i = 0; i < offenders; i++) {
    const s = rng.pick(staffed);
    for (let k = 0; k < rule.threshold; k++) {
      const detectedOn = new Date(today.getTime() - rng.int(0, windowDays - 1) * DAY_MS);
      await violations.add(violation(s.stateBodyId, rng.pick(SERVICE_CATALOGUE).code, s.servantId, detectedOn));
    }
  }
  const totalRows = new BatchWriter<TotalRow>(models.RequestTotal as unknown as Model<never>, batchSize);
  const totalId = datedIdFactory(0x5e5104);
  for (const t of totals.values()) await totalRows.add({ _id: totalId(new Date(Date.UTC(t.year, t.month - 1, 1))), ...t });
  await Promise.all([stats.flush(), feedback.flush(), violations.flush(), totalRows.flush()]);
  // Indexes once, after the bulk load (cheaper than maintaining them insert by insert).
  for (const model of all) await model.createIndexes();
  // New feedback and totals: today's per-body window sums are read again.
  await renewCounter(db, FEEDBACK_COUNTER);
  await renewCounter(db, REQUEST_TOTALS_COUNTER);
  if (sinceProgress > 0) onProgress?.(sinceProgress);
  return {
    counts: { publicServices: services.length, serviceRequestStats: stats.written, requestTotals: totalRows.written, feedback: feedback.written, violations: violations.written },
  };
}
