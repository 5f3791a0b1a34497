import { makeIIN } from '@civil-service/shared';
import type { Types } from 'mongoose';
import type { Gender } from './models';
import { addDays, addYears, DAY_MS } from './rules/dates';
import type { PlannedAssignment } from './seed-careers';
import {
  COLLEGES,
  CORRUPTION_ARTICLES,
  FATHER_NAMES,
  FEMALE_NAMES,
  INSTITUTIONS,
  KAZAKH_FORM_ROOTS,
  MALE_NAMES,
  SANCTION_GROUNDS,
  SPECIALTIES,
  SURNAME_ROOTS,
  kazakhSurname,
  patronymic,
  surname,
} from './seed-data';
import type { SeedRng } from './seed-ids';

/** The records of one servant besides identity and assignments, as plain documents. */
export interface ServantExtras {
  education: Array<{ institution: string; specialty: string; degree: string; graduatedOn: Date }>;
  reserve: Array<{ type: string; enrolledOn: Date; expiresOn: Date | null; status: string }>;
  incentives: Array<{ type: string; date: Date }>;
  sanctions: Array<{ type: string; imposedOn: Date; liftedOn: Date | null; grounds: string }>;
  corruption: Array<{ decisionDate: Date; decisionType: string; article: string; source: string }>;
}

const between = (rng: SeedRng, from: Date, to: Date) => (to.getTime() <= from.getTime() ? from : rng.date(from, to));

export function personName(rng: SeedRng, gender: Gender): { lastName: string; firstName: string; patronymic: string | null } {
  const kazakhForm = rng.chance(0.15);
  const lastName = kazakhForm ? kazakhSurname(rng.pick(KAZAKH_FORM_ROOTS), gender) : surname(rng.pick(SURNAME_ROOTS), gender);
  const firstName = rng.pick(gender === 'MALE' ? MALE_NAMES : FEMALE_NAMES);
  const father = rng.chance(0.95) ? patronymic(rng.pick(FATHER_NAMES), gender, rng.chance(0.25)) : null;
  return { lastName, firstName, patronymic: father };
}

/** A valid IIN for the birth date and gender that nobody seeded before has (`used` is updated). */
export function uniqueIin(rng: SeedRng, birthDate: Date, gender: Gender, used: Set<string>): string {
  let serial = rng.int(0, 9999);
  for (;;) {
    const iin = makeIIN(birthDate, gender, serial);
    if (!used.has(iin)) {
      used.add(iin);
      return iin;
    }
    // The serial makeIIN settled on, plus one: the next candidate for this birth date.
    serial = Number(iin.slice(7, 11)) + 1;
  }
}

const INCENTIVES: ReadonlyArray<[string, number]> = [['BONUS', 40], ['GRATITUDE', 30], ['CERTIFICATE_OF_MERIT', 20], ['BEST_EMPLOYEE_TITLE', 8], ['STATE_AWARD', 2]];
const MINOR_SANCTIONS: ReadonlyArray<[string, number]> = [['REMARK', 45], ['REPRIMAND', 30], ['SEVERE_REPRIMAND', 15], ['WARNING_INCOMPLETE_COMPLIANCE', 7], ['DEMOTION', 3]];

function weighted(rng: SeedRng, table: ReadonlyArray<[string, number]>): string {
  let x = rng.next() * table.reduce((a, [, w]) => a + w, 0);
  for (const [v, w] of table) if ((x -= w) < 0) return v;
  return table[table.length - 1][0];
}

export interface ExtrasInput {
  birthDate: Date;
  assignments: readonly PlannedAssignment[];
  today: Date;
  /** Whether a corps A appointment on a day needed the reserve (effective-dated rule). */
  reserveRequiredAt: (date: Date) => boolean;
  /** Months a disciplinary penalty stays in force. */
  sanctionLapseMonths: number;
}

/**
 * Education, reserve, incentives, sanctions and corruption records that agree with the career:
 * dated inside service, a corps A reserve before every corps A appointment made while the rule
 * was in force, a DISMISSAL penalty and a corruption record behind the matching separations.
 */
export function servantExtras(rng: SeedRng, { birthDate, assignments, today, reserveRequiredAt, sanctionLapseMonths }: ExtrasInput): ServantExtras {
  const out: ServantExtras = { education: [], reserve: [], incentives: [], sanctions: [], corruption: [] };
  const entry = assignments[0].start;
  const last = assignments[assignments.length - 1];
  const serviceEnd = last.end ?? today;

  const vocational = rng.chance(0.06);
  const firstDegree = addDays(addYears(birthDate, vocational ? 19 : rng.int(21, 23)), rng.int(150, 200));
  out.education.push({
    institution: rng.pick(vocational ? COLLEGES : INSTITUTIONS),
    specialty: rng.pick(SPECIALTIES),
    degree: vocational ? 'VOCATIONAL' : rng.chance(0.25) ? 'SPECIALIST' : 'BACHELOR',
    graduatedOn: firstDegree < entry ? firstDegree : addDays(entry, -30),
  });
  if (!vocational && rng.chance(0.3)) {
    const master = addDays(addYears(firstDegree, rng.int(2, 8)), rng.int(0, 30));
    if (master < today) out.education.push({ institution: rng.pick(INSTITUTIONS), specialty: rng.pick(SPECIALTIES), degree: 'MASTER', graduatedOn: master });
    const doctor = addYears(master, rng.int(3, 6));
    if (rng.chance(0.06) && doctor < today) out.education.push({ institution: rng.pick(INSTITUTIONS), specialty: rng.pick(SPECIALTIES), degree: rng.chance(0.7) ? 'PHD' : 'CANDIDATE_OF_SCIENCES', graduatedOn: doctor });
  }

  for (const a of assignments) {
    if (a.position.corps !== 'A' || !reserveRequiredAt(a.start)) continue;
    const enrolledOn = addDays(a.start, -rng.int(60, 900));
    const expires = addYears(enrolledOn, 3);
    // Spent by the appointment it allowed, as hireCivilServant records it.
    out.reserve.push({ type: 'CORPS_A', enrolledOn, expiresOn: expires < a.start ? a.start : expires, status: 'APPOINTED' });
  }
  if (!last.end && last.position.corps === 'B' && last.position.isManagerial && rng.chance(0.15)) {
    const enrolledOn = between(rng, addYears(today, -4), addDays(today, -1));
    const expiresOn = addYears(enrolledOn, 3);
    out.reserve.push({ type: 'CORPS_A', enrolledOn, expiresOn, status: expiresOn < today ? 'EXPIRED' : 'ACTIVE' });
  }
  const ageYears = (today.getTime() - birthDate.getTime()) / (365.25 * DAY_MS);
  if (!last.end && ageYears < 35 && rng.chance(0.03)) {
    const enrolledOn = between(rng, addYears(today, -3), addDays(today, -1));
    out.reserve.push({ type: 'PRESIDENTIAL_YOUTH', enrolledOn, expiresOn: addYears(enrolledOn, 3), status: rng.chance(0.8) ? 'ACTIVE' : 'EXCLUDED' });
  }
  if (!last.end && rng.chance(0.03)) {
    const enrolledOn = between(rng, addYears(today, -3), addDays(today, -1));
    out.reserve.push({ type: 'STATE_BODY', enrolledOn, expiresOn: addYears(enrolledOn, 3), status: 'ACTIVE' });
  }

  const years = (serviceEnd.getTime() - entry.getTime()) / (365.25 * DAY_MS);
  const incentives = Math.min(8, Math.floor(years * rng.next() * 0.3));
  for (let i = 0; i < incentives; i += 1) out.incentives.push({ type: weighted(rng, INCENTIVES), date: between(rng, addDays(entry, 180), serviceEnd) });

  const lapse = (imposedOn: Date) => {
    const lapses = new Date(Date.UTC(imposedOn.getUTCFullYear(), imposedOn.getUTCMonth() + sanctionLapseMonths, imposedOn.getUTCDate()));
    return lapses <= today ? lapses : null;
  };
  if (rng.chance(0.04)) {
    const count = rng.chance(0.15) ? 2 : 1;
    for (let i = 0; i < count; i += 1) {
      const imposedOn = between(rng, addDays(entry, 90), addDays(serviceEnd, -30));
      out.sanctions.push({ type: weighted(rng, MINOR_SANCTIONS), imposedOn, liftedOn: lapse(imposedOn), grounds: rng.pick(SANCTION_GROUNDS) });
    }
  }
  const reason = last.endReason;
  if (last.end && (reason === 'DISMISSAL_ETHICS' || reason === 'DISMISSAL_DISCREDIT' || reason === 'DISMISSAL_CORRUPTION')) {
    out.sanctions.push({ type: 'DISMISSAL', imposedOn: last.end, liftedOn: null, grounds: reason === 'DISMISSAL_ETHICS' ? 'Нарушение норм служебной этики' : reason === 'DISMISSAL_CORRUPTION' ? 'Совершение коррупционного правонарушения' : 'Проступок, дискредитирующий государственную службу' });
  }
  if (reason === 'DISMISSAL_CORRUPTION' && last.end) {
    const criminal = rng.chance(0.6);
    const article = rng.pick(CORRUPTION_ARTICLES.filter((a) => a.criminal === criminal)).article;
    out.corruption.push({
      decisionDate: addDays(last.end, -rng.int(0, 60)),
      decisionType: criminal ? 'CONVICTION' : 'ADMINISTRATIVE_PENALTY',
      article,
      source: criminal ? 'COURT' : rng.chance(0.5) ? 'ANTI_CORRUPTION_AGENCY' : 'PROSECUTOR_GENERAL_OFFICE',
    });
  } else if (rng.chance(0.002)) {
    // Minor offences that did not end the service: an administrative penalty or a disciplinary one.
    out.corruption.push({
      decisionDate: between(rng, addDays(entry, 90), addDays(serviceEnd, -1)),
      decisionType: rng.chance(0.7) ? 'ADMINISTRATIVE_PENALTY' : 'DISCIPLINARY_OFFENCE',
      article: rng.pick(CORRUPTION_ARTICLES.filter((a) => !a.criminal)).article,
      source: rng.chance(0.5) ? 'ANTI_CORRUPTION_AGENCY' : 'PROSECUTOR_GENERAL_OFFICE',
    });
  }
  return out;
}

/** Order numbers as HR departments write them: a per-year running number and the "ЛС" suffix. */
export function orderNumberFactory(): (date: Date) => string {
  const perYear = new Map<number, number>();
  return (date) => {
    const year = date.getUTCFullYear();
    const n = (perYear.get(year) ?? 0) + 1;
    perYear.set(year, n);
    return `${n}-ЛС/${year}`;
  };
}

export type IdFactory = () => Types.ObjectId;
