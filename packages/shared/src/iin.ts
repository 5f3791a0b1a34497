/**
 * The individual identification number (IIN) of the Republic of Kazakhstan (domain rule 1):
 * YYMMDD birth date, a century-and-gender digit, a 4-digit serial and a check digit.
 */
export interface ParsedIIN {
  birthDate: Date;
  gender: 'MALE' | 'FEMALE';
}

const WEIGHTS_1 = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const WEIGHTS_2 = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2];

/** The check digit of the first 11 digits, or null when none exists (the IIN can't be valid). */
export function iinCheckDigit(first11: string): number | null {
  const digits = [...first11].map(Number);
  const sum = (weights: number[]) => digits.reduce((acc, d, i) => acc + d * weights[i], 0) % 11;
  let check = sum(WEIGHTS_1);
  if (check === 10) check = sum(WEIGHTS_2);
  return check === 10 ? null : check;
}

const CENTURY: Record<string, number> = { '1': 1800, '2': 1800, '3': 1900, '4': 1900, '5': 2000, '6': 2000 };

/** Birth date and gender of a valid IIN; null when the format, date or check digit is wrong. */
export function parseIIN(iin: string): ParsedIIN | null {
  if (!/^\d{12}$/.test(iin)) return null;
  const century = CENTURY[iin[6]];
  if (century === undefined) return null;
  const year = century + Number(iin.slice(0, 2));
  const month = Number(iin.slice(2, 4));
  const day = Number(iin.slice(4, 6));
  const birthDate = new Date(Date.UTC(year, month - 1, day));
  if (birthDate.getUTCFullYear() !== year || birthDate.getUTCMonth() !== month - 1 || birthDate.getUTCDate() !== day) return null;
  if (iinCheckDigit(iin.slice(0, 11)) !== Number(iin[11])) return null;
  return { birthDate, gender: Number(iin[6]) % 2 === 1 ? 'MALE' : 'FEMALE' };
}

export function isValidIIN(iin: string): boolean {
  return parseIIN(iin) !== null;
}

/**
 * A valid IIN for a birth date and gender. `serial` (0-9999) is the starting serial; when it has
 * no check digit the next serial is taken, so the result is deterministic for the same inputs.
 */
export function makeIIN(birthDate: Date, gender: 'MALE' | 'FEMALE', serial: number): string {
  const year = birthDate.getUTCFullYear();
  const centuryBase = year < 1900 ? 1 : year < 2000 ? 3 : 5;
  const centuryDigit = centuryBase + (gender === 'FEMALE' ? 1 : 0);
  const yymmdd =
    String(year % 100).padStart(2, '0') +
    String(birthDate.getUTCMonth() + 1).padStart(2, '0') +
    String(birthDate.getUTCDate()).padStart(2, '0');
  for (let i = 0; i < 10_000; i++) {
    const first11 = `${yymmdd}${centuryDigit}${String((serial + i) % 10_000).padStart(4, '0')}`;
    const check = iinCheckDigit(first11);
    if (check !== null) return `${first11}${check}`;
  }
  throw new Error('no valid IIN exists for this birth date'); // unreachable: most serials have a check digit
}
