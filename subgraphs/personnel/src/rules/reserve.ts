import { utcDay } from './dates';

export interface ReserveFacts {
  type: string;
  status: string;
  enrolledOn: Date;
  expiresOn?: Date | null;
}

/**
 * Whether the person is in the corps A reserve on `date`: an ACTIVE corps A membership that had
 * started and had not expired (the expiry day itself still counts).
 */
export function hasActiveCorpsAReserve(memberships: readonly ReserveFacts[], date: Date): boolean {
  const day = utcDay(date).getTime();
  return memberships.some(
    (m) =>
      m.type === 'CORPS_A' &&
      m.status === 'ACTIVE' &&
      utcDay(m.enrolledOn).getTime() <= day &&
      (!m.expiresOn || utcDay(m.expiresOn).getTime() >= day),
  );
}

/**
 * Refusal message for a corps A appointment, or null when it may proceed. `required` is the
 * effective-dated rule on the start date.
 */
export function corpsAReserveRefusal(required: boolean, corps: string, memberships: readonly ReserveFacts[], startDate: Date): string | null {
  if (!required || corps !== 'A') return null;
  return hasActiveCorpsAReserve(memberships, startDate)
    ? null
    : 'a corps A appointment requires an active CORPS_A reserve membership on the start date';
}
