import { isValidIIN, makeIIN, parseIIN } from '@civil-service/shared';
import {
  categoriesFor,
  categoryMismatch,
  computeTenure,
  findOverlaps,
  hasActiveCorpsAReserve,
  identityAgrees,
  identityFromIin,
  personnelRules,
  reentryBarOn,
  rotationScheme,
} from '../src';
import { d } from './helpers';

const rules = personnelRules();

describe('IIN (rule 1)', () => {
  it('accepts the reference IINs and refuses a wrong check digit', () => {
    expect(isValidIIN('791028302728')).toBe(true);
    expect(isValidIIN('061211600012')).toBe(true);
    expect(isValidIIN('821214240092')).toBe(false);
    expect(isValidIIN('79102830272')).toBe(false);
    expect(isValidIIN('791328302728')).toBe(false);
  });

  it('derives birth date and gender from the IIN', () => {
    expect(identityFromIin('791028302728')).toEqual({ iin: '791028302728', birthDate: d('1979-10-28'), gender: 'MALE' });
    expect(identityFromIin('061211600012')).toMatchObject({ birthDate: d('2006-12-11'), gender: 'FEMALE' });
    expect(identityFromIin('821214240092')).toBeNull();
  });

  it('flags a stored record whose birth date or gender disagree with its IIN', () => {
    expect(identityAgrees({ iin: '791028302728', birthDate: d('1979-10-28'), gender: 'MALE' })).toBe(true);
    expect(identityAgrees({ iin: '791028302728', birthDate: d('1979-10-29'), gender: 'MALE' })).toBe(false);
    expect(identityAgrees({ iin: '791028302728', birthDate: d('1979-10-28'), gender: 'FEMALE' })).toBe(false);
  });

  it('makeIIN gives valid IINs that encode the date and gender', () => {
    for (const [date, gender] of [['1955-02-28', 'MALE'], ['2001-07-01', 'FEMALE'], ['1899-12-31', 'FEMALE']] as const) {
      const iin = makeIIN(d(date), gender, 42);
      expect(parseIIN(iin)).toEqual({ birthDate: d(date), gender });
    }
  });
});

describe('length of civil service (rule 2)', () => {
  const asOf = d('2024-12-31');

  it('counts overlapping assignments once', () => {
    const t = computeTenure([{ start: d('2020-01-01'), end: d('2020-12-31') }, { start: d('2020-07-01'), end: d('2021-12-31') }], asOf);
    expect(t).toMatchObject({ years: 2, months: 0, days: 0, totalDays: 731 });
  });

  it('bridges a gap of one working day, not of two', () => {
    // Friday 2024-03-01 to Tuesday 2024-03-05: only Monday the 4th is missing.
    const oneDay = computeTenure([{ start: d('2024-01-01'), end: d('2024-03-01') }, { start: d('2024-03-05'), end: d('2024-03-31') }], asOf);
    expect(oneDay).toMatchObject({ years: 0, months: 3, days: 0, totalDays: 91 });
    // Friday to Wednesday: Monday and Tuesday are missing, so the days between are not service.
    const twoDays = computeTenure([{ start: d('2024-01-01'), end: d('2024-03-01') }, { start: d('2024-03-06'), end: d('2024-03-31') }], asOf);
    expect(twoDays.totalDays).toBe(61 + 26);
  });

  it('treats a weekend between two posts as continuous service', () => {
    const t = computeTenure([{ start: d('2024-01-01'), end: d('2024-03-01') }, { start: d('2024-03-04'), end: null }], d('2024-03-31'));
    expect(t).toMatchObject({ months: 3, days: 0, totalDays: 91 });
  });

  it('counts an open assignment up to the day asked', () => {
    expect(computeTenure([{ start: d('2014-06-15'), end: null }], d('2024-06-14'))).toMatchObject({ years: 10, months: 0, days: 0 });
  });
});

describe('overlapping assignments', () => {
  it('finds holdings that share a day, including an open one', () => {
    expect(findOverlaps([{ start: d('2020-01-01'), end: d('2020-06-30') }, { start: d('2020-06-30'), end: null }])).toEqual([[0, 1]]);
    expect(findOverlaps([{ start: d('2020-01-01'), end: null }, { start: d('2010-01-01'), end: d('2011-01-01') }, { start: d('2022-01-01'), end: null }])).toEqual([[0, 2]]);
    expect(findOverlaps([{ start: d('2020-01-01'), end: d('2020-06-29') }, { start: d('2020-06-30'), end: null }])).toEqual([]);
  });
});

describe('re-entry bar (rule 7)', () => {
  const bars = rules.reentryBarsAt;
  it('bars 1, 2 and 3 years after ethics, discredit and corruption dismissals', () => {
    const end = d('2023-04-10');
    expect(reentryBarOn({ reason: 'DISMISSAL_ETHICS', endDate: end }, d('2024-04-09'), bars)?.years).toBe(1);
    expect(reentryBarOn({ reason: 'DISMISSAL_ETHICS', endDate: end }, d('2024-04-10'), bars)).toBeNull();
    expect(reentryBarOn({ reason: 'DISMISSAL_DISCREDIT', endDate: end }, d('2025-04-09'), bars)?.years).toBe(2);
    expect(reentryBarOn({ reason: 'DISMISSAL_CORRUPTION', endDate: end }, d('2026-04-09'), bars)?.years).toBe(3);
    expect(reentryBarOn({ reason: 'DISMISSAL_CORRUPTION', endDate: end }, d('2026-04-10'), bars)).toBeNull();
  });
  it('starts no bar after a resignation or before the law set one', () => {
    expect(reentryBarOn({ reason: 'RESIGNATION', endDate: d('2023-04-10') }, d('2023-04-11'), bars)).toBeNull();
    expect(reentryBarOn({ reason: 'DISMISSAL_CORRUPTION', endDate: d('2015-06-01') }, d('2015-07-01'), bars)).toBeNull();
  });
});

describe('category codes and levels', () => {
  const table = rules.categoryTableAt(d('2024-01-01'));
  it('accepts codes of the body level and refuses others', () => {
    expect(categoryMismatch('C-1', 'CENTRAL', 'B', table)).toBeNull();
    expect(categoryMismatch('C-O-4', 'CENTRAL_TERRITORIAL_OBLAST', 'B', table)).toBeNull();
    expect(categoryMismatch('E-G-1', 'LOCAL_RURAL', 'B', table)).toBeNull();
    expect(categoryMismatch('D-O-2', 'LOCAL_OBLAST', 'B', table)).toBeNull();
    expect(categoryMismatch('C-1', 'LOCAL_DISTRICT', 'B', table)).toMatch(/does not match/);
    expect(categoryMismatch('A-2', 'LOCAL_RURAL', 'A', table)).toMatch(/no corps A/);
    expect(categoryMismatch('A-2', 'CENTRAL', 'B', table)).toMatch(/not a corps B/);
    expect(categoryMismatch('E-G-9', 'LOCAL_RURAL', 'B', table)).toMatch(/highest grade/);
    expect(categoryMismatch('X-1', 'CENTRAL', 'B', table)).toMatch(/FAMILY-GRADE/);
  });
  it('lists the codes a level allows', () => {
    expect(categoriesFor('LOCAL_RURAL', 'B', table)).toEqual(['E-G-1', 'E-G-2', 'E-G-3', 'E-G-4']);
    expect(categoriesFor('LOCAL_DISTRICT', 'A', table)).toEqual([]);
  });
});

describe('rotation scheme', () => {
  it('follows from the levels and regions of the two bodies', () => {
    const central = { level: 'CENTRAL' as const, region: 'ASTANA' };
    const special = { level: 'SPECIAL' as const, region: 'ASTANA' };
    const karaganda = { level: 'CENTRAL_TERRITORIAL_OBLAST' as const, region: 'KARAGANDA' };
    const pavlodar = { level: 'LOCAL_DISTRICT' as const, region: 'PAVLODAR' };
    const karagandaDistrict = { level: 'LOCAL_DISTRICT' as const, region: 'KARAGANDA' };
    expect(rotationScheme(central, karaganda)).toBe('CENTER_TO_REGION');
    expect(rotationScheme(karaganda, central)).toBe('REGION_TO_CENTER');
    expect(rotationScheme(karaganda, pavlodar)).toBe('INTERREGIONAL');
    expect(rotationScheme(central, special)).toBe('INTERSECTORAL');
    expect(rotationScheme(karaganda, karagandaDistrict)).toBeNull();
  });
});

describe('corps A reserve (rule 5)', () => {
  it('is required only while the rule is in force', () => {
    expect(rules.corpsAReserveRequiredAt(d('2016-05-01'))).toBe(true);
    expect(rules.corpsAReserveRequiredAt(d('2021-05-01'))).toBe(false);
    expect(rules.corpsAReserveRequiredAt(d('2010-05-01'))).toBe(false);
  });
  it('counts only an active, started and unexpired corps A membership', () => {
    const m = { type: 'CORPS_A', status: 'ACTIVE', enrolledOn: d('2015-01-01'), expiresOn: d('2018-01-01') };
    expect(hasActiveCorpsAReserve([m], d('2018-01-01'))).toBe(true);
    expect(hasActiveCorpsAReserve([m], d('2018-01-02'))).toBe(false);
    expect(hasActiveCorpsAReserve([{ ...m, status: 'EXCLUDED' }], d('2016-01-01'))).toBe(false);
    expect(hasActiveCorpsAReserve([{ ...m, type: 'STATE_BODY' }], d('2016-01-01'))).toBe(false);
  });
});
