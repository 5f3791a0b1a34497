import { iinCheckDigit, isValidIIN, makeIIN, parseIIN } from '../src';

describe('IIN (domain rule 1)', () => {
  it('accepts the valid examples of the domain guide and derives birth date and gender', () => {
    expect(parseIIN('791028302728')).toEqual({ birthDate: new Date(Date.UTC(1979, 9, 28)), gender: 'MALE' });
    expect(parseIIN('061211600012')).toEqual({ birthDate: new Date(Date.UTC(2006, 11, 11)), gender: 'FEMALE' });
  });

  it('rejects a wrong check digit, a bad century digit, an impossible date and a wrong length', () => {
    expect(isValidIIN('821214240092')).toBe(false);
    expect(isValidIIN('791028302729')).toBe(false);
    expect(isValidIIN('791028702728')).toBe(false);
    expect(isValidIIN('790230302728')).toBe(false);
    expect(isValidIIN('79102830272')).toBe(false);
    expect(isValidIIN('79102830272a')).toBe(false);
  });

  it('uses the second weight series when the first gives 10', () => {
    // Find a prefix whose first-series sum is 10 and check the digit comes from the second series.
    const first = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
    const second = [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2];
    for (let serial = 0; serial < 10_000; serial++) {
      const prefix = `8001013${String(serial).padStart(4, '0')}`;
      const digits = [...prefix].map(Number);
      if (digits.reduce((a, d, i) => a + d * first[i], 0) % 11 !== 10) continue;
      const expected = digits.reduce((a, d, i) => a + d * second[i], 0) % 11;
      expect(iinCheckDigit(prefix)).toBe(expected === 10 ? null : expected);
      return;
    }
    throw new Error('no prefix with a first-series sum of 10 found');
  });

  it('makes valid IINs that agree with the birth date and gender, across centuries', () => {
    for (const [date, gender] of [
      [new Date(Date.UTC(1899, 11, 31)), 'MALE'],
      [new Date(Date.UTC(1965, 0, 1)), 'FEMALE'],
      [new Date(Date.UTC(2003, 6, 15)), 'MALE'],
    ] as const) {
      for (let serial = 0; serial < 50; serial++) {
        const iin = makeIIN(date, gender, serial * 37);
        expect(parseIIN(iin)).toEqual({ birthDate: date, gender });
      }
    }
  });
});
