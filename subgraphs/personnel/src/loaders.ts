import { Types } from 'mongoose';
import { BatchCoordinator, entityLoader, groupLoader } from './batching';
import { IN_SERVICE, type CivilServantDoc, type PersonnelModels, type PositionDoc, type StateBodyDoc } from './models';

/** Depth of each loader in the key graph; see BatchCoordinator. */
const RANK = { servant: 0, perServant: 1, position: 2, body: 3, bodyAggregate: 4 } as const;

const oid = (ids: readonly string[]) => ids.map((id) => new Types.ObjectId(id));
const idOf = (d: { _id: Types.ObjectId }) => d._id.toHexString();
const servantOf = (d: { servantId: Types.ObjectId }) => d.servantId.toHexString();

/**
 * Documents the server returns with the first reply. The driver's default (101) would make a page
 * of 50 servants with three assignments each cost a getMore more than a page of 5; every batch of
 * a request fits well within this.
 */
const FIRST_BATCH = 10_000;

/** Fields each list needs: the GraphQL types plus the keys their resolvers follow. */
const PROJECTION = {
  assignment: 'servantId positionId stateBodyId startDate endDate endReason orderNumber',
  education: 'servantId institution specialty degree graduatedOn',
  reserve: 'servantId type enrolledOn expiresOn status',
  rotation: 'servantId fromBodyId toBodyId startDate scheme',
  incentive: 'servantId type date orderNumber',
  sanction: 'servantId type imposedOn liftedOn orderNumber grounds',
  corruption: 'servantId decisionDate decisionType article source',
};

/**
 * DataLoaders for one request: every entity and per-servant list costs one query per collection,
 * whatever the number of servants in the response. Keys are 24-hex id strings (callers check them).
 */
export function createLoaders(m: PersonnelModels) {
  const c = new BatchCoordinator();
  const group = <D extends { servantId: Types.ObjectId }>(
    find: (ids: Types.ObjectId[]) => Promise<D[]>,
  ) => groupLoader<D>(c, RANK.perServant, (keys) => find(oid(keys)), servantOf);

  return {
    servant: entityLoader(c, RANK.servant, (ids) => m.CivilServant.find({ _id: { $in: oid(ids) } }).batchSize(FIRST_BATCH).lean<CivilServantDoc[]>().exec(), idOf),
    position: entityLoader(c, RANK.position, (ids) => m.Position.find({ _id: { $in: oid(ids) } }).batchSize(FIRST_BATCH).lean<PositionDoc[]>().exec(), idOf),
    body: entityLoader(c, RANK.body, (ids) => m.StateBody.find({ _id: { $in: oid(ids) } }).batchSize(FIRST_BATCH).lean<StateBodyDoc[]>().exec(), idOf),
    /** Servants in service per body, from one aggregation for every body of the response. */
    headcount: entityLoader(
      c,
      RANK.bodyAggregate,
      (ids) =>
        m.CivilServant.aggregate<{ _id: Types.ObjectId; n: number }>([
          { $match: { currentStateBodyId: { $in: oid(ids) }, status: { $in: IN_SERVICE } } },
          { $group: { _id: '$currentStateBodyId', n: { $sum: 1 } } },
        ]).exec(),
      idOf,
    ),
    // Every list newest first, as the schema promises.
    assignments: group((ids) => m.Assignment.find({ servantId: { $in: ids } }, PROJECTION.assignment).sort({ startDate: -1, _id: -1 }).batchSize(FIRST_BATCH).lean().exec()),
    education: group((ids) => m.Education.find({ servantId: { $in: ids } }, PROJECTION.education).sort({ graduatedOn: -1, _id: -1 }).batchSize(FIRST_BATCH).lean().exec()),
    reserve: group((ids) => m.ReserveMembership.find({ servantId: { $in: ids } }, PROJECTION.reserve).sort({ enrolledOn: -1, _id: -1 }).batchSize(FIRST_BATCH).lean().exec()),
    rotations: group((ids) => m.Rotation.find({ servantId: { $in: ids } }, PROJECTION.rotation).sort({ startDate: -1, _id: -1 }).batchSize(FIRST_BATCH).lean().exec()),
    incentives: group((ids) => m.Incentive.find({ servantId: { $in: ids } }, PROJECTION.incentive).sort({ date: -1, _id: -1 }).batchSize(FIRST_BATCH).lean().exec()),
    sanctions: group((ids) => m.Sanction.find({ servantId: { $in: ids } }, PROJECTION.sanction).sort({ imposedOn: -1, _id: -1 }).batchSize(FIRST_BATCH).lean().exec()),
    corruption: group((ids) =>
      m.CorruptionRecord.find({ servantId: { $in: ids } }, PROJECTION.corruption).sort({ decisionDate: -1, _id: -1 }).batchSize(FIRST_BATCH).lean().exec(),
    ),
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
