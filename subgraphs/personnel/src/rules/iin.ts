import { parseIIN } from '@civil-service/shared';
import { utcDay } from './dates';

export interface IinIdentity {
  iin: string;
  birthDate: Date;
  gender: 'MALE' | 'FEMALE';
}

/**
 * Birth date and gender as the IIN encodes them (domain rule 1), or null for an invalid IIN. The
 * register never takes them from anywhere else, so they cannot disagree with it.
 */
export function identityFromIin(iin: string): IinIdentity | null {
  const parsed = parseIIN(iin);
  if (!parsed) return null;
  return { iin, birthDate: utcDay(parsed.birthDate), gender: parsed.gender };
}

/** Data-quality check for stored records: do birth date and gender agree with the IIN? */
export function identityAgrees(record: { iin: string; birthDate: Date; gender: string }): boolean {
  const identity = identityFromIin(record.iin);
  return identity !== null && identity.gender === record.gender && identity.birthDate.getTime() === utcDay(record.birthDate).getTime();
}
