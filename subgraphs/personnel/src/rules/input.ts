/**
 * Checks of free text typed by HR users. Each returns the cleaned value or the reason it is
 * refused; resolvers turn a reason into BAD_USER_INPUT naming the field.
 */
export type Checked<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * A personal name: letters of any alphabet (Kazakh Cyrillic Ә Ғ Қ Ң Ө Ұ Ү Һ І included), with
 * single spaces, hyphens or apostrophes between parts (Мұхаммед-Әли, О'Нил).
 */
const NAME = /^\p{L}+(?:[ '’-]\p{L}+)*$/u;

export function checkName(raw: string, maxLength: number): Checked<string> {
  const value = raw.normalize('NFC').trim().replace(/\s+/g, ' ');
  if (!value) return { ok: false, reason: 'must not be empty' };
  if ([...value].length > maxLength) return { ok: false, reason: `must be at most ${maxLength} characters` };
  if (!NAME.test(value)) return { ok: false, reason: 'must contain only letters, with spaces, hyphens or apostrophes between parts' };
  return { ok: true, value };
}

/** An optional name: absent or blank means none. */
export function checkOptionalName(raw: string | null | undefined, maxLength: number): Checked<string | null> {
  if (raw === null || raw === undefined || !raw.trim()) return { ok: true, value: null };
  return checkName(raw, maxLength);
}

/** Order numbers, grounds and other required free text: trimmed, non-empty, bounded. */
export function checkText(raw: string, maxLength: number): Checked<string> {
  const value = raw.trim();
  if (!value) return { ok: false, reason: 'must not be empty' };
  if ([...value].length > maxLength) return { ok: false, reason: `must be at most ${maxLength} characters` };
  // Control characters would corrupt printed orders and exports.
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/.test(value)) return { ok: false, reason: 'must not contain control characters' };
  return { ok: true, value };
}

const HEX_ID = /^[0-9a-fA-F]{24}$/;

/** Register ids are 24-hex ObjectId strings. */
export function isRegisterId(value: unknown): value is string {
  return typeof value === 'string' && HEX_ID.test(value);
}

/** Lower-case form of a surname for the prefix index; Kazakh letters lower-case like Russian ones. */
export function surnameKey(lastName: string): string {
  return lastName.normalize('NFC').toLocaleLowerCase('kk-KZ');
}
