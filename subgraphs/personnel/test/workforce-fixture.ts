import type { Connection, Types } from 'mongoose';
import { registerDirectoryModels } from '@civil-service/shared';
import { recordDirectoryChange } from '../src';
import type { PersonnelModels } from '../src/models';
import { d, oid } from './helpers';

/**
 * A small register whose workforce figures are worked out by hand in workforce.test.ts:
 * a ministry in ASTANA (M), its unit in KARAGANDA (K) and an akimat in PAVLODAR (P).
 */
export async function workforceFixture(db: Connection, m: PersonnelModels) {
  const M = { _id: oid(), name: 'Министерство', level: 'CENTRAL' as const, region: 'ASTANA' as const, parentId: null };
  const K = { _id: oid(), name: 'Департамент по Карагандинской области', level: 'CENTRAL_TERRITORIAL_OBLAST' as const, region: 'KARAGANDA' as const, parentId: M._id };
  const P = { _id: oid(), name: 'Акимат Павлодарской области', level: 'LOCAL_OBLAST' as const, region: 'PAVLODAR' as const, parentId: null };
  await m.StateBody.insertMany([M, K, P]);

  const position = (body: { _id: Types.ObjectId }, categoryCode: string, corps: 'A' | 'B' = 'B') => ({
    _id: oid(), stateBodyId: body._id, title: 'Должность', categoryCode, corps, isManagerial: corps === 'A', rotationSubject: false, holderId: null as Types.ObjectId | null,
  });
  const pos = {
    mA1: position(M, 'A-3', 'A'), mB1: position(M, 'C-4'), mB2: position(M, 'C-4'), mB3: position(M, 'C-4'), mB4: position(M, 'C-4'), mB5: position(M, 'C-4'), mB6: position(M, 'C-4'),
    kB1: position(K, 'C-O-4'), kB2: position(K, 'C-O-4'), kB3: position(K, 'C-O-4'), kB4: position(K, 'C-O-4'), kB5: position(K, 'C-O-4'), kB6: position(K, 'C-O-4'), kB7: position(K, 'C-O-5'),
    pB1: position(P, 'D-3'), pB2: position(P, 'D-3'), pB3: position(P, 'D-3'),
  };
  type Pos = keyof typeof pos;
  type Period = [Pos, string, string | null];

  const servants: Array<{ _id: Types.ObjectId; name: string; gender: 'MALE' | 'FEMALE'; born: number; status: string; periods: Period[] }> = [];
  const servant = (name: string, gender: 'MALE' | 'FEMALE', born: number, status: string, ...periods: Period[]) => {
    const s = { _id: oid(), name, gender, born, status, periods };
    servants.push(s);
    return s;
  };
  const s = {
    s1: servant('s1', 'FEMALE', 1980, 'ACTIVE', ['mA1', '2010-01-01', null]),
    s2: servant('s2', 'MALE', 1985, 'ACTIVE', ['mB1', '2015-01-01', null]),
    s3: servant('s3', 'FEMALE', 1995, 'ON_LEAVE', ['mB2', '2020-01-01', null]),
    s4: servant('s4', 'MALE', 1970, 'ACTIVE', ['mB3', '2000-01-01', null]),
    s5: servant('s5', 'FEMALE', 1999, 'ACTIVE', ['kB7', '2023-09-01', '2024-08-31'], ['mB4', '2024-09-01', null]),
    s6: servant('s6', 'MALE', 1960, 'DISMISSED', ['mB5', '2005-01-01', '2026-03-31']),
    s7: servant('s7', 'FEMALE', 2000, 'ACTIVE', ['mB6', '2026-02-01', null]),
    s8: servant('s8', 'FEMALE', 1988, 'ACTIVE', ['mB6', '2012-01-01', '2019-12-31'], ['kB1', '2020-01-01', null]),
    s9: servant('s9', 'MALE', 1975, 'ACTIVE', ['pB1', '2015-01-01', '2026-02-28'], ['kB2', '2026-03-01', null]),
    s10: servant('s10', 'FEMALE', 1992, 'ACTIVE', ['kB3', '2018-01-01', null]),
    s11: servant('s11', 'MALE', 1982, 'ACTIVE', ['kB4', '2010-01-01', null]),
    s12: servant('s12', 'FEMALE', 1997, 'ACTIVE', ['kB5', '2022-06-01', null]),
    s13: servant('s13', 'MALE', 1968, 'RETIRED', ['kB6', '2001-01-01', '2025-12-31']),
    s14: servant('s14', 'FEMALE', 1994, 'ACTIVE', ['pB2', '2019-01-01', null]),
    s15: servant('s15', 'MALE', 1986, 'ACTIVE', ['pB3', '2021-01-01', null]),
  };

  const assignments = servants.flatMap((sv) =>
    sv.periods.map(([p, from, to]) => {
      if (to === null) pos[p].holderId = sv._id;
      return { _id: oid(), servantId: sv._id, positionId: pos[p]._id, stateBodyId: pos[p].stateBodyId, startDate: d(from), endDate: to ? d(to) : null, endReason: to ? 'TRANSFER' : null, orderNumber: '1-ЛС' };
    }),
  );
  await m.Position.insertMany(Object.values(pos));
  await m.Assignment.insertMany(assignments);
  await m.CivilServant.insertMany(
    servants.map((sv, i) => {
      const open = sv.periods.find(([, , to]) => to === null);
      const p = open ? pos[open[0]] : null;
      return {
        _id: sv._id, iin: String(100000000000 + i), lastName: sv.name, firstName: sv.name, patronymic: null, lastNameLower: sv.name, birthDate: d(`${sv.born}-06-15`), gender: sv.gender,
        serviceType: 'ADMINISTRATIVE', corps: p?.corps ?? null, status: sv.status, currentAssignmentId: null, currentPositionId: p?._id ?? null, currentStateBodyId: p?.stateBodyId ?? null,
        currentRegion: null, currentCategoryCode: p?.categoryCode ?? null, lastSeparation: null,
      };
    }),
  );
  const sanction = (sv: { _id: Types.ObjectId }, imposedOn: string) => ({ servantId: sv._id, type: 'REMARK', imposedOn: d(imposedOn), liftedOn: null, orderNumber: '1-С', grounds: 'Нарушение' });
  await m.Sanction.insertMany([
    sanction(s.s2, '2026-05-10'), sanction(s.s2, '2025-01-15'), sanction(s.s10, '2026-11-24'), sanction(s.s10, '2025-11-24'), sanction(s.s13, '2025-03-01'), sanction(s.s14, '2026-07-01'),
  ]);
  await m.Rotation.insertMany([
    { servantId: s.s8._id, fromBodyId: M._id, toBodyId: K._id, startDate: d('2020-01-01'), scheme: 'CENTER_TO_REGION' },
    { servantId: s.s9._id, fromBodyId: P._id, toBodyId: K._id, startDate: d('2026-03-01'), scheme: 'INTERREGIONAL' },
    { servantId: s.s5._id, fromBodyId: K._id, toBodyId: M._id, startDate: d('2024-09-01'), scheme: 'REGION_TO_CENTER' },
  ]);
  // The directory as the write paths build it.
  await recordDirectoryChange(db, m, registerDirectoryModels(db), servants.map((sv) => sv._id), d('2026-11-24'));
  return { bodies: { M, K, P }, pos, s, servants };
}
