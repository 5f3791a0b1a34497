import type { Types } from 'mongoose';
import type { DirectoryEntry, DirectoryModels, RosterEntry } from '@civil-service/shared';
import { buildDirectorySnapshots } from './directory/builder';
import type { AssignmentDoc, CivilServantDoc, PersonnelModels, PositionDoc, StateBodyDoc } from './models';
import { categoriesFor } from './rules/category';
import { addDays, addYears, parseDay } from './rules/dates';
import type { PersonnelRules } from './rules/reference';
import type { StateBodyLevel } from './rules/rotation';

/** What the anomalies changed, so checks of the planner's clean careers can leave these records out. */
export interface SeededAnomalies {
  servantIds: string[];
  assignmentIds: string[];
  positionIds: string[];
}

/** How many servants are looked at for each anomaly: enough to find one, few enough to stay cheap. */
const SAMPLE = 400;

type Career = { servant: CivilServantDoc; assignments: AssignmentDoc[]; current: AssignmentDoc };

/**
 * Breaks a handful of seeded records the way legacy imports did before the register checked them,
 * so that every personnel alert rule has something to report in the demo data: a position whose
 * category does not fit its body's level, two overlapping assignments, a re-appointment inside a
 * re-entry bar, a corps A appointment without a reserve while the rule applied, and a long holding
 * of a rotation-subject position. Deterministic: the first suitable servants in id order, each
 * used once. The directory entries of the servants touched are rewritten afterwards.
 */
export async function seedAnomalies(
  models: PersonnelModels,
  directory: DirectoryModels,
  { today, rules, roster }: { today: Date; rules: PersonnelRules; roster: RosterEntry[] },
): Promise<SeededAnomalies> {
  const servants = await models.CivilServant.find({ status: 'ACTIVE' }).sort({ _id: 1 }).limit(SAMPLE).lean<CivilServantDoc[]>();
  const ids = servants.map((s) => s._id);
  const assignments = await models.Assignment.find({ servantId: { $in: ids } }).lean<AssignmentDoc[]>();
  const careers: Career[] = servants.flatMap((servant) => {
    const own = assignments.filter((a) => a.servantId.equals(servant._id)).sort((a, b) => a.startDate.getTime() - b.startDate.getTime());
    const current = own.find((a) => a.endDate === null);
    return current ? [{ servant, assignments: own, current }] : [];
  });
  const positions = new Map(
    (await models.Position.find({ _id: { $in: careers.map((c) => c.current.positionId) } }).lean<PositionDoc[]>()).map((p) => [p._id.toHexString(), p]),
  );
  const bodies = new Map((await models.StateBody.find({}, 'level').lean<StateBodyDoc[]>()).map((b) => [b._id.toHexString(), b]));
  const used = new Set<string>();
  const out: SeededAnomalies = { servantIds: [], assignmentIds: [], positionIds: [] };
  const take = (test: (c: Career) => boolean) => {
    const found = careers.find((c) => !used.has(c.servant._id.toHexString()) && test(c));
    if (found) {
      used.add(found.servant._id.toHexString());
      out.servantIds.push(found.servant._id.toHexString());
    }
    return found;
  };
  const positionOf = (c: Career) => positions.get(c.current.positionId.toHexString())!;
  const levelOf = (c: Career) => bodies.get(c.current.stateBodyId.toHexString())!.level as StateBodyLevel;
  const rosterOf = (c: Career) => roster.find((r) => r.servantId === c.servant._id.toHexString());
  const table = rules.categoryTableAt(today);

  // A central body's corps B category on a position of a body at another level.
  const misfit = take((c) => positionOf(c).corps === 'B' && levelOf(c) !== 'CENTRAL');
  if (misfit) {
    const code = categoriesFor('CENTRAL', 'B', table)[3];
    await models.Position.updateOne({ _id: misfit.current.positionId }, { $set: { categoryCode: code } });
    await models.CivilServant.updateOne({ _id: misfit.servant._id }, { $set: { currentCategoryCode: code } });
    out.positionIds.push(misfit.current.positionId.toHexString());
    const entry = rosterOf(misfit);
    if (entry) entry.categoryCode = code;
  }

  // The holding before the current one left open for two months into it.
  const overlap = take((c) => c.assignments.length > 1 && addDays(c.current.startDate, 60).getTime() < today.getTime());
  if (overlap) {
    const before = overlap.assignments[overlap.assignments.indexOf(overlap.current) - 1];
    await models.Assignment.updateOne({ _id: before._id }, { $set: { endDate: addDays(overlap.current.startDate, 60) } });
    out.assignmentIds.push(before._id.toHexString());
  }

  // A dismissal for discrediting the service a month before the current appointment (a 2-year bar).
  const barFrom = parseDay('2016-03-01');
  const barred = take((c) => {
    const i = c.assignments.indexOf(c.current);
    return i > 0 && c.current.startDate >= barFrom && c.current.startDate.getTime() - c.assignments[i - 1].startDate.getTime() > 120 * 86_400_000;
  });
  if (barred) {
    const before = barred.assignments[barred.assignments.indexOf(barred.current) - 1];
    const endDate = addDays(barred.current.startDate, -30);
    const reason = Object.keys(rules.reentryBarsAt(endDate)).find((r) => r === 'DISMISSAL_DISCREDIT') ?? 'DISMISSAL_CORRUPTION';
    await models.Assignment.updateOne({ _id: before._id }, { $set: { endDate, endReason: reason } });
    await models.PersonnelAction.insertMany([
      { servantId: barred.servant._id, type: 'DISMISSAL', date: endDate, orderNumber: 'LEGACY-1', positionId: before.positionId, stateBodyId: before.stateBodyId, reason, recordedAt: endDate },
    ]);
    out.assignmentIds.push(before._id.toHexString());
  }

  // A corps A appointment made under the reserve rule, recorded without the reserve it required.
  const inWindow = (c: Career) => rules.corpsAReserveRequiredAt(c.current.startDate);
  const corpsA =
    take((c) => positionOf(c).corps === 'A' && inWindow(c)) ??
    take((c) => positionOf(c).corps === 'B' && inWindow(c) && categoriesFor(levelOf(c), 'A', table).length > 0);
  if (corpsA) {
    const position = positionOf(corpsA);
    if (position.corps === 'B') {
      const code = categoriesFor(levelOf(corpsA), 'A', table).at(-1)!;
      await models.Position.updateOne({ _id: position._id }, { $set: { corps: 'A', categoryCode: code, isManagerial: true } });
      await models.CivilServant.updateOne({ _id: corpsA.servant._id }, { $set: { corps: 'A', currentCategoryCode: code } });
      const entry = rosterOf(corpsA);
      if (entry) Object.assign(entry, { corps: 'A', categoryCode: code, isManagerial: true });
    }
    await models.ReserveMembership.deleteMany({ servantId: corpsA.servant._id, type: 'CORPS_A' });
    out.positionIds.push(position._id.toHexString());
  }

  // A rotation-subject position held past the highest limit (the data has some already; this makes one certain).
  const longest = Math.max(0, ...rules.rotationLimitsAt(today));
  const held = take((c) => c.current.startDate.getTime() < addYears(today, -longest - 1).getTime());
  if (held) {
    await models.Position.updateOne({ _id: held.current.positionId }, { $set: { rotationSubject: true } });
    out.positionIds.push(held.current.positionId.toHexString());
  }

  const touched: Types.ObjectId[] = careers.filter((c) => used.has(c.servant._id.toHexString())).map((c) => c.servant._id);
  // Rewritten under their seeding numbers: nobody has read the feed yet, and the seeded directory stays numbered 1..N.
  const numbers = new Map((await directory.Directory.find({ _id: { $in: touched.map((id) => id.toHexString()) } }, 'seq changedAt').lean<DirectoryEntry[]>()).map((e) => [e._id, e]));
  const snapshots = await buildDirectorySnapshots(models, touched);
  await directory.Directory.bulkWrite(
    snapshots.filter((snap) => numbers.has(snap._id)).map((snap) => ({ replaceOne: { filter: { _id: snap._id }, replacement: { ...snap, seq: numbers.get(snap._id)!.seq, changedAt: numbers.get(snap._id)!.changedAt } } })),
  );
  return out;
}
