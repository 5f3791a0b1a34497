import { Types } from 'mongoose';
import type { DirectoryEntry } from '@civil-service/shared';
import { rebuildRequestTotals, type createServicesQualitySubgraph } from '../src';
import { directoryEntry, fillDirectory, servantAt, type TestBody } from './directory';

/**
 * A hand-built world whose figures can be worked out on paper (see analytics.test.ts). Today is
 * 2026-11-24: the measure window is (2025-11-24, 2026-11-24], months 2025-12 to 2026-11; on
 * 2026-03-15 it is (2025-03-15, 2026-03-15], months 2025-04 to 2026-03.
 */
export const today = new Date(Date.UTC(2026, 10, 24));
const hex = () => new Types.ObjectId().toHexString();

export const P: TestBody = { id: hex(), region: 'KARAGANDA', level: 'LOCAL_OBLAST' };
export const B1: TestBody = { id: hex(), region: 'KARAGANDA', level: 'LOCAL_DISTRICT', parents: [P.id] };
export const B2: TestBody = { id: hex(), region: 'KARAGANDA', level: 'LOCAL_RURAL', parents: [B1.id, P.id] };
export const B3: TestBody = { id: hex(), region: 'ASTANA', level: 'CENTRAL_TERRITORIAL_OBLAST' };
export const B4: TestBody = { id: hex(), region: 'ALMATY', level: 'LOCAL_DISTRICT' };
/** A body no segment covers: its figures must never count. */
export const B9 = hex();
/** One-servant bodies in SHYMKENT, so that a question can have twenty segments. */
export const SMALL: TestBody[] = Array.from({ length: 20 }, () => ({ id: hex(), region: 'SHYMKENT', level: 'LOCAL_RURAL' }));

export const S = {
  k1: hex(), k2: hex(), k3: hex(), k4: hex(), k6: hex(), k5: hex(), mv: hex(), gone: hex(),
  a1: hex(), a2: hex(), a3: hex(),
  l1: hex(), l2: hex(), l3: hex(), l4: hex(), l5: hex(), hired: hex(),
};

/** Today: KARAGANDA 7 (k1-k6, mv), ASTANA 3 (a1-a3), ALMATY 6 (l1-l5, hired), SHYMKENT 20. On 2026-03-15: KARAGANDA 7 (k1-k6, gone), ASTANA 4 (+mv), ALMATY 5. */
export function directory(): DirectoryEntry[] {
  return [
    ...[S.k1, S.k2, S.k3, S.k4, S.k6].map((id) => servantAt(id, B1)),
    servantAt(S.k5, B2),
    directoryEntry(S.mv, [{ body: B3, from: '2015-01-01', to: '2026-05-31' }, { body: B1, from: '2026-06-01' }]),
    directoryEntry(S.gone, [{ body: B2, from: '2015-01-01', to: '2026-04-30' }]),
    ...[S.a1, S.a2, S.a3].map((id) => servantAt(id, B3)),
    ...[S.l1, S.l2, S.l3, S.l4, S.l5].map((id) => servantAt(id, B4)),
    directoryEntry(S.hired, [{ body: B4, from: '2026-09-01' }]),
    ...SMALL.map((body) => servantAt(hex(), body)),
  ];
}

const day = (s: string) => new Date(`${s}T00:00:00Z`);

export async function fillWorld(app: ReturnType<typeof createServicesQualitySubgraph>): Promise<void> {
  await fillDirectory(app.models, directory());
  await app.models.PublicService.insertMany([
    { _id: '00103001', name: 'State registration of birth', channels: ['PSC'], standardDeadlineDays: 1, isElectronic: false, providerStateBodyId: null },
  ]);
  const feedback = (stateBodyId: string, rating: number, on: string) => ({
    serviceCode: '00103001', stateBodyId, servantId: null, rating, onTime: rating > 2, comment: null, submittedOn: day(on),
  });
  await app.models.Feedback.insertMany([
    feedback(B1.id, 1, '2025-11-24'), // the window's open start today: out today, in on 2026-03-15
    feedback(B1.id, 5, '2025-11-25'),
    feedback(B1.id, 3, '2026-03-15'), // the past asOf itself: in
    feedback(B1.id, 2, '2026-03-16'), // after the past asOf: out then
    feedback(B1.id, 4, '2026-11-24'), // today itself: in
    feedback(B2.id, 2, '2026-01-10'),
    feedback(B2.id, 4, '2026-02-02'),
    feedback(B3.id, 5, '2025-03-15'), // the past window's open start: out
    feedback(B3.id, 1, '2025-03-16'),
    feedback(B3.id, 4, '2026-02-01'),
    feedback(B9, 1, '2026-05-01'),
  ]);
  const stat = (stateBodyId: string, year: number, month: number, requests: number, onTime: number, servantId: string | null = null) => ({
    stateBodyId, serviceCode: '00103001', servantId, year, month, requests, onTime,
  });
  await app.models.ServiceRequestStat.insertMany([
    stat(B1.id, 2025, 11, 100, 0), // month before today's window; in the past window
    stat(B1.id, 2025, 12, 10, 9),
    stat(B1.id, 2026, 3, 7, 7, S.k1), // a front-office servant's share of the body's requests
    stat(B1.id, 2026, 3, 3, 1),
    stat(B1.id, 2026, 11, 20, 15),
    stat(B2.id, 2026, 6, 30, 29),
    stat(B3.id, 2025, 3, 50, 50), // month before the past window
    stat(B3.id, 2025, 4, 6, 5),
    stat(B4.id, 2026, 10, 3, 1),
    stat(B9, 2026, 10, 1000, 0),
  ]);
  await rebuildRequestTotals(app.models);
  const violation = (servantId: string | null, stateBodyId: string, on: string, type = 'DEADLINE_BREACH') => ({
    stateBodyId, serviceCode: '00103001', servantId, type, detectedOn: day(on), description: 'test',
  });
  await app.models.Violation.insertMany([
    // k1: 4 in the window (the first one is on its open start, so out): since the third in, 2026-06-01.
    violation(S.k1, B1.id, '2025-11-24'),
    violation(S.k1, B1.id, '2025-11-25', 'FEE_VIOLATION'),
    violation(S.k1, B1.id, '2026-04-15'),
    violation(S.k1, B1.id, '2026-06-01', 'EXCESS_DOCUMENTS'),
    violation(S.k1, B1.id, '2026-11-24'),
    // k2: three, but one is on the window's open start: two count, no alert.
    violation(S.k2, B1.id, '2025-11-24'),
    violation(S.k2, B1.id, '2026-02-01'),
    violation(S.k2, B1.id, '2026-03-01'),
    violation(S.k5, B2.id, '2026-07-01'),
    violation(S.k5, B2.id, '2026-08-01'),
    violation(S.k5, B2.id, '2026-09-01', 'UNLAWFUL_REFUSAL'),
    violation(S.a1, B3.id, '2026-02-01'),
    violation(S.a1, B3.id, '2026-02-02'),
    violation(S.a1, B3.id, '2026-02-03'),
    // No longer in service: no alert.
    violation(S.gone, B2.id, '2026-01-01'),
    violation(S.gone, B2.id, '2026-02-01'),
    violation(S.gone, B2.id, '2026-03-01'),
    // Nobody named: a body's violation, never a servant's.
    ...['2026-01-01', '2026-02-01', '2026-03-01'].map((on) => violation(null, B1.id, on)),
  ]);
}
