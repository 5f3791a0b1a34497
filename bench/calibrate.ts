/**
 * How fast this machine is today, on the kind of work the stack does most: JSON of a large answer
 * with Cyrillic text. The same 2-core machine has served the same stack at speeds 1.5-2 times
 * apart on different days (Hive Gateway, unchanged code: 446 ms on (f) one day, 910 another), so
 * a millisecond figure means little without it; compare runs by their ratio to this figure, or by
 * the peer's. Measured in the bench's own process before any server starts and after all stop.
 */
import { performance } from 'node:perf_hooks';

/** A fixed answer much like the workforce answer by state body: 3,000 segments, Cyrillic names. */
function workforceLikeAnswer(): unknown {
  const names = ['Министерство финансов Республики Казахстан', 'Акимат Карагандинской области', 'Қарағанды облысының әкімдігі', 'Департамент государственных доходов по городу Астане'];
  const segments = [];
  for (let i = 0; i < 3000; i++) {
    segments.push({
      key: `w2;2026-12-07;b;;5e0be1001000000000${String(i).padStart(6, '0')}`,
      region: 'KARAGANDA',
      stateBodyLevel: 'LOCAL_OBLAST',
      corps: null,
      stateBody: { id: `5e0be1001000000000${String(i).padStart(6, '0')}`, name: `${names[i % names.length]} ${i}` },
      suppressed: false,
      headcount: (i * 37) % 500,
      womenShare: ((i * 13) % 100) / 100,
      bandDistribution: ['OUTSTANDING', 'EFFECTIVE', 'SATISFACTORY', 'UNSATISFACTORY'].map((band, j) => ({ band, count: (i + j) % 50 })),
    });
  }
  return { data: { workforce: segments } };
}

export interface Calibration {
  /** Median ms of one round: stringify, encode as UTF-8, decode, parse. */
  jsonRoundTripMs: number;
  rounds: number;
  answerBytes: number;
}

export function calibrate(rounds = 30): Calibration {
  const answer = workforceLikeAnswer();
  const once = () => JSON.parse(Buffer.from(JSON.stringify(answer), 'utf8').toString('utf8')) as unknown;
  for (let i = 0; i < 5; i++) once();
  const times: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const started = performance.now();
    once();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return { jsonRoundTripMs: times[Math.floor(rounds / 2)], rounds, answerBytes: Buffer.byteLength(JSON.stringify(answer)) };
}
