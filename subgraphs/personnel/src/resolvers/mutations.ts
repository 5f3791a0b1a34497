import { Types, type ClientSession } from 'mongoose';
import { allocateCounter, badUserInput, conflict, mongoErrorToGraphQL, notFound } from '@civil-service/shared';
import { WINDOW_FACTS_COUNTER } from '../analytics/workforce';
import { IN_SERVICE, MOVE_REASONS, type CivilServantDoc, type PositionDoc, type SanctionDoc, type SeparationReason, type StateBodyDoc } from '../models';
import { recordDirectoryChange } from '../directory/writer';
import { categoryMismatch } from '../rules/category';
import { addDays, addYears, isoDay, utcDay } from '../rules/dates';
import { checkName, checkOptionalName, checkText, surnameKey, type Checked } from '../rules/input';
import { identityFromIin } from '../rules/iin';
import { describeBar, reentryBarOn } from '../rules/reentry';
import { corpsAReserveRefusal } from '../rules/reserve';
import { findOverlaps } from '../rules/tenure';
import type { Context } from './context';
import { requireId } from './queries';

function valid<T>(checked: Checked<T>, field: string): T {
  if (!checked.ok) throw badUserInput(`${field} ${checked.reason}`, field);
  return checked.value;
}

/** Runs `fn` in one transaction; a GraphQL error passes through, a driver error is translated. */
async function inTransaction<T>(ctx: Context, fn: (session: ClientSession) => Promise<T>): Promise<T> {
  try {
    return await ctx.db.transaction(fn);
  } catch (err) {
    throw mongoErrorToGraphQL(err);
  }
}

export interface HireInput {
  iin: string;
  lastName: string;
  firstName: string;
  patronymic?: string | null;
  positionId: string;
  startDate: Date;
  orderNumber: string;
}

export interface DismissInput {
  servantId: string;
  endDate: Date;
  reason: SeparationReason;
  orderNumber: string;
}

export interface SanctionInput {
  servantId: string;
  type: SanctionDoc['type'];
  imposedOn: Date;
  orderNumber: string;
  grounds: string;
}

async function hireCivilServant(_: unknown, { input }: { input: HireInput }, ctx: Context) {
  const { models: m } = ctx;
  const today = utcDay(ctx.now());
  const limits = ctx.rules.hiringAt(today);
  const identity = identityFromIin(String(input.iin));
  if (!identity) throw badUserInput('iin is not a valid IIN', 'iin');
  const lastName = valid(checkName(input.lastName, limits.nameMaxLength), 'lastName');
  const firstName = valid(checkName(input.firstName, limits.nameMaxLength), 'firstName');
  const patronymic = valid(checkOptionalName(input.patronymic, limits.nameMaxLength), 'patronymic');
  const orderNumber = valid(checkText(input.orderNumber, limits.orderNumberMaxLength), 'orderNumber');
  const positionId = requireId(input.positionId, 'positionId');
  const startDate = utcDay(input.startDate);
  const adult = addYears(identity.birthDate, limits.minimumAge);
  if (startDate < adult) {
    throw badUserInput(`startDate must be on or after ${isoDay(adult)}, when the person (born ${isoDay(identity.birthDate)}) turns ${limits.minimumAge}`, 'startDate');
  }
  const latest = addDays(today, limits.maxStartDaysAhead);
  if (startDate > latest) throw badUserInput(`startDate must not be later than ${isoDay(latest)}`, 'startDate');

  const servantId = await inTransaction(ctx, async (session) => {
    const position = await m.Position.findById(positionId).session(session).lean<PositionDoc>().exec();
    if (!position) throw notFound(`positionId: no position ${positionId.toHexString()}`);
    if (position.holderId) throw conflict(`positionId: position ${positionId.toHexString()} is not vacant`);
    const body = await m.StateBody.findById(position.stateBodyId).session(session).lean<StateBodyDoc>().exec();
    if (!body) throw notFound(`positionId: the state body of position ${positionId.toHexString()} does not exist`);
    const mismatch = categoryMismatch(position.categoryCode, body.level, position.corps, ctx.rules.categoryTableAt(startDate));
    if (mismatch) throw conflict(`positionId: ${mismatch}`);

    const existing = await m.CivilServant.findOne({ iin: identity.iin }).session(session).lean<CivilServantDoc>().exec();
    if (existing) {
      if (IN_SERVICE.includes(existing.status)) throw conflict(`iin: IIN ${identity.iin} is already registered for a servant in service`);
      const bar = reentryBarOn(existing.lastSeparation, startDate, ctx.rules.reentryBarsAt);
      if (bar) throw conflict(describeBar(bar));
      const history = await m.Assignment.find({ servantId: existing._id }, 'startDate endDate').session(session).lean().exec();
      const intervals = [...history.map((a) => ({ start: a.startDate, end: a.endDate })), { start: startDate, end: null }];
      if (findOverlaps(intervals).length) throw conflict('startDate: the new assignment would overlap an earlier assignment of this servant');
    }
    const reserve = existing
      ? await m.ReserveMembership.find({ servantId: existing._id, type: 'CORPS_A' }).session(session).lean().exec()
      : [];
    const refusal = corpsAReserveRefusal(ctx.rules.corpsAReserveRequiredAt(startDate), position.corps, reserve, startDate);
    if (refusal) throw conflict(`positionId: ${refusal}`);

    const id = existing?._id ?? new Types.ObjectId();
    const assignmentId = new Types.ObjectId();
    // Claim the position only while it is still vacant, so two concurrent hires cannot share it.
    const claimed = await m.Position.updateOne({ _id: positionId, holderId: null }, { $set: { holderId: id } }, { session }).exec();
    if (claimed.modifiedCount !== 1) throw conflict(`positionId: position ${positionId.toHexString()} is not vacant`);
    await m.Assignment.create(
      [{ _id: assignmentId, servantId: id, positionId, stateBodyId: body._id, startDate, endDate: null, endReason: null, orderNumber }],
      { session },
    );
    const current = {
      lastName,
      firstName,
      patronymic,
      lastNameLower: surnameKey(lastName),
      serviceType: 'ADMINISTRATIVE' as const,
      corps: position.corps,
      status: 'ACTIVE' as const,
      currentAssignmentId: assignmentId,
      currentPositionId: positionId,
      currentStateBodyId: body._id,
      currentRegion: body.region,
      currentCategoryCode: position.categoryCode,
    };
    if (existing) {
      await m.CivilServant.updateOne({ _id: id }, { $set: current }, { session, runValidators: true }).exec();
    } else {
      await m.CivilServant.create(
        [{ _id: id, iin: identity.iin, birthDate: identity.birthDate, gender: identity.gender, lastSeparation: null, ...current }],
        { session },
      );
    }
    if (position.corps === 'A' && reserve.length) {
      // The reserve membership is spent by the appointment it allowed.
      await m.ReserveMembership.updateMany({ servantId: id, type: 'CORPS_A', status: 'ACTIVE' }, { $set: { status: 'APPOINTED' } }, { session }).exec();
    }
    await m.PersonnelAction.create(
      [{ servantId: id, type: existing ? 'REHIRE' : 'HIRE', date: startDate, orderNumber, positionId, stateBodyId: body._id, reason: null, recordedAt: ctx.now() }],
      { session },
    );
    await recordDirectoryChange(ctx.db, m, ctx.directory, [id], ctx.now(), session);
    return id;
  });
  return m.CivilServant.findById(servantId).lean<CivilServantDoc>().exec();
}

async function dismissCivilServant(_: unknown, { input }: { input: DismissInput }, ctx: Context) {
  const { models: m } = ctx;
  const today = utcDay(ctx.now());
  const limits = ctx.rules.hiringAt(today);
  const servantId = requireId(input.servantId, 'servantId');
  if (MOVE_REASONS.includes(input.reason)) {
    throw badUserInput(`reason ${input.reason} is a move inside the civil service, not a separation from it`, 'reason');
  }
  const orderNumber = valid(checkText(input.orderNumber, limits.orderNumberMaxLength), 'orderNumber');
  const endDate = utcDay(input.endDate);
  if (endDate > today) throw badUserInput('endDate must not be in the future', 'endDate');

  await inTransaction(ctx, async (session) => {
    const servant = await m.CivilServant.findById(servantId).session(session).lean<CivilServantDoc>().exec();
    if (!servant) throw notFound(`servantId: no civil servant ${servantId.toHexString()}`);
    const current = await m.Assignment.findOne({ servantId, endDate: null }).session(session).lean().exec();
    if (!IN_SERVICE.includes(servant.status) || !current) throw conflict(`servantId: civil servant ${servantId.toHexString()} is not in service`);
    if (endDate < current.startDate) {
      throw badUserInput(`endDate must not be before the current assignment's start ${isoDay(current.startDate)}`, 'endDate');
    }
    await m.Assignment.updateOne({ _id: current._id, endDate: null }, { $set: { endDate, endReason: input.reason } }, { session }).exec();
    await m.Position.updateOne({ _id: current.positionId, holderId: servantId }, { $set: { holderId: null } }, { session }).exec();
    await m.CivilServant.updateOne(
      { _id: servantId },
      {
        $set: {
          status: input.reason === 'RETIREMENT' ? 'RETIRED' : 'DISMISSED',
          corps: null,
          currentAssignmentId: null,
          currentPositionId: null,
          currentStateBodyId: null,
          currentRegion: null,
          currentCategoryCode: null,
          lastSeparation: { reason: input.reason, endDate },
        },
      },
      { session },
    ).exec();
    await m.PersonnelAction.create(
      [{ servantId, type: 'DISMISSAL', date: endDate, orderNumber, positionId: current.positionId, stateBodyId: current.stateBodyId, reason: input.reason, recordedAt: ctx.now() }],
      { session },
    );
    await recordDirectoryChange(ctx.db, m, ctx.directory, [servantId], ctx.now(), session);
  });
  return m.CivilServant.findById(servantId).lean<CivilServantDoc>().exec();
}

async function imposeSanction(_: unknown, { input }: { input: SanctionInput }, ctx: Context) {
  const { models: m } = ctx;
  const today = utcDay(ctx.now());
  const limits = ctx.rules.hiringAt(today);
  const servantId = requireId(input.servantId, 'servantId');
  const imposedOn = utcDay(input.imposedOn);
  if (imposedOn > today) throw badUserInput('imposedOn must not be in the future', 'imposedOn');
  const allowed = ctx.rules.sanctionRulesAt(imposedOn).types;
  if (!allowed.includes(input.type)) {
    throw badUserInput(`type ${input.type} is not a disciplinary penalty in force on ${isoDay(imposedOn)} (allowed: ${allowed.join(', ')})`, 'type');
  }
  const orderNumber = valid(checkText(input.orderNumber, limits.orderNumberMaxLength), 'orderNumber');
  const grounds = valid(checkText(input.grounds, limits.groundsMaxLength), 'grounds');

  const sanctionId = new Types.ObjectId();
  await inTransaction(ctx, async (session) => {
    const servant = await m.CivilServant.findById(servantId, '_id').session(session).lean().exec();
    if (!servant) throw notFound(`servantId: no civil servant ${servantId.toHexString()}`);
    await m.Sanction.create([{ _id: sanctionId, servantId, type: input.type, imposedOn, liftedOn: null, orderNumber, grounds }], { session });
    // Today's workforce window (sanctions per servant) is read again after this commits.
    await allocateCounter(ctx.db, WINDOW_FACTS_COUNTER, 1, session);
    await m.PersonnelAction.create(
      [{ servantId, type: 'SANCTION', date: imposedOn, orderNumber, positionId: null, stateBodyId: null, reason: input.type, recordedAt: ctx.now() }],
      { session },
    );
  });
  return m.Sanction.findById(sanctionId).lean<SanctionDoc>().exec();
}

export const mutationResolvers = { hireCivilServant, dismissCivilServant, imposeSanction };
