import type { Types } from 'mongoose';
import type { DirectoryModels } from '@civil-service/shared';
import { recordDirectoryChange } from '../src/directory/writer';
import type { PersonnelModels } from '../src/models';
import { d, oid } from './helpers';

type Level = 'CENTRAL' | 'CENTRAL_TERRITORIAL_OBLAST' | 'LOCAL_DISTRICT';

/** One holding in a hand-made career: [from, to or null, position, endReason]. */
type Holding = [string, string | null, Types.ObjectId, string?];

/**
 * A small register for the alert rules: bodies in two regions, positions, and servants whose
 * careers each break one rule (or come close without breaking it); the directory is written
 * with personnel's own builder.
 */
export async function alertFixture(m: PersonnelModels, directory: DirectoryModels, db: Parameters<typeof recordDirectoryChange>[0], today: Date) {
  const body = (name: string, level: Level, region: string, parentId: Types.ObjectId | null = null) => ({ _id: oid(), name, level, region, parentId });
  const ministry = body('Министерство юстиции', 'CENTRAL', 'ASTANA');
  const unit = body('Департамент юстиции Карагандинской области', 'CENTRAL_TERRITORIAL_OBLAST', 'KARAGANDA', ministry._id);
  const district = body('Аппарат акима Бухар-Жырауского района', 'LOCAL_DISTRICT', 'KARAGANDA');
  const almaty = body('Департамент юстиции города Алматы', 'CENTRAL_TERRITORIAL_OBLAST', 'ALMATY', ministry._id);
  await m.StateBody.insertMany([ministry, unit, district, almaty]);
  const positions: Array<Record<string, unknown>> = [];
  const pos = (b: { _id: Types.ObjectId }, categoryCode: string, extra: { corps?: 'A' | 'B'; rotationSubject?: boolean } = {}) => {
    const p = { _id: oid(), stateBodyId: b._id, title: 'Главный специалист', categoryCode, corps: extra.corps ?? 'B', isManagerial: extra.corps === 'A', rotationSubject: extra.rotationSubject ?? false, holderId: null };
    positions.push(p);
    return p._id;
  };
  const bodyOfPosition = (id: Types.ObjectId) => positions.find((p) => (p._id as Types.ObjectId).equals(id))!.stateBodyId as Types.ObjectId;
  const servants: Record<string, Types.ObjectId> = {};
  const careers: Array<[string, Holding[], string]> = [];
  const servant = (key: string, holdings: Holding[], status = 'ACTIVE') => careers.push([key, holdings, status]);

  servant('rotationLong', [['2016-01-10', null, pos(unit, 'C-O-3', { rotationSubject: true })]]);
  servant('rotationShort', [['2023-01-01', null, pos(unit, 'C-O-3', { rotationSubject: true })]]);
  const rehold = pos(almaty, 'C-O-2', { rotationSubject: true });
  // Re-appointed to the same post the next working day: one continuous holding since 2021-06-01.
  servant('rotationBridged', [['2021-06-01', '2022-03-04', rehold, 'TRANSFER'], ['2022-03-07', null, rehold]]);
  servant('categoryBad', [['2022-02-01', null, pos(district, 'C-3')]]);
  servant('categoryGood', [['2022-02-01', null, pos(district, 'E-3')]]);
  servant('overlapBad', [['2018-01-01', '2021-03-31', pos(ministry, 'C-4'), 'TRANSFER'], ['2021-03-01', null, pos(unit, 'C-O-4')]]);
  servant('overlapHandover', [['2018-01-01', '2021-03-01', pos(ministry, 'C-4'), 'TRANSFER'], ['2021-03-01', null, pos(unit, 'C-O-4')]]);
  servant('overlapLeft', [['2018-01-01', '2021-03-31', pos(ministry, 'C-4'), 'TRANSFER'], ['2021-03-01', '2024-01-01', pos(unit, 'C-O-4'), 'RESIGNATION']], 'DISMISSED');
  servant('reentryBad', [['2015-01-01', '2022-05-31', pos(ministry, 'C-4'), 'DISMISSAL_ETHICS'], ['2022-12-01', null, pos(almaty, 'C-O-4')]]);
  servant('reentryGood', [['2015-01-01', '2020-01-31', pos(ministry, 'C-4'), 'DISMISSAL_ETHICS'], ['2021-03-01', null, pos(almaty, 'C-O-4')]]);
  servant('corpsABad', [['2015-06-01', null, pos(ministry, 'A-3', { corps: 'A' })]]);
  servant('corpsAGood', [['2015-06-01', null, pos(ministry, 'A-3', { corps: 'A' })]]);
  servant('corpsALate', [['2021-01-01', null, pos(ministry, 'A-3', { corps: 'A' })]]);

  const docs = [];
  const assignments = [];
  let iinSerial = 0;
  for (const [key, holdings, status] of careers) {
    const id = oid();
    servants[key] = id;
    const inService = status === 'ACTIVE';
    const open = holdings.find((h) => h[1] === null);
    for (const [from, to, positionId, endReason] of holdings) {
      assignments.push({ _id: oid(), servantId: id, positionId, stateBodyId: bodyOfPosition(positionId), startDate: d(from), endDate: to ? d(to) : null, endReason: endReason ?? null, orderNumber: `${key}-${from}` });
      if (to === null) positions.find((p) => (p._id as Types.ObjectId).equals(positionId))!.holderId = id;
    }
    iinSerial += 1;
    docs.push({
      _id: id, iin: `90051740${String(iinSerial).padStart(4, '0')}`, lastName: key, firstName: 'Тест', patronymic: null, lastNameLower: key.toLowerCase(), birthDate: d('1990-05-17'), gender: 'FEMALE',
      serviceType: 'ADMINISTRATIVE', corps: inService ? 'B' : null, status, currentAssignmentId: null, currentPositionId: inService && open ? open[2] : null, currentStateBodyId: inService && open ? bodyOfPosition(open[2]) : null, currentRegion: null,
      currentCategoryCode: null, lastSeparation: null,
    });
  }
  await m.Position.insertMany(positions);
  await m.Assignment.insertMany(assignments);
  await m.CivilServant.collection.insertMany(docs);
  await m.ReserveMembership.insertMany([{ servantId: servants.corpsAGood, type: 'CORPS_A', enrolledOn: d('2014-01-01'), expiresOn: d('2017-01-01'), status: 'APPOINTED' }]);
  await recordDirectoryChange(db, m, directory, Object.values(servants), today);
  return { ministry, unit, district, almaty, servants };
}
