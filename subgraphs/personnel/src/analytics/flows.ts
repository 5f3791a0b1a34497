import type { Types } from 'mongoose';
import { badUserInput, suppressedCells } from '@civil-service/shared';
import type { PersonnelModels, StateBodyDoc } from '../models';
import { FIRST_BATCH } from './batch';

export interface RotationFlow {
  scheme: string;
  fromRegion: string;
  toRegion: string;
  /** Null when suppressed. */
  count: number | null;
  suppressed: boolean;
}

interface FlowGroup {
  _id: { scheme: string; from: Types.ObjectId; to: Types.ObjectId };
  n: number;
}

/**
 * Rotations started in [from, to], counted by scheme and the two bodies' regions: one pipeline on
 * the startDate index grouped by scheme and body pair, then the regions of the bodies involved from
 * one read. Small flows are hidden (with the secondary suppression of the workforce segments) when
 * `suppress` is set.
 */
export async function rotationFlows(m: PersonnelModels, from: Date, to: Date, options: { suppress: boolean; threshold: number }): Promise<RotationFlow[]> {
  if (from.getTime() > to.getTime()) throw badUserInput('from must not be after to', 'from');
  const groups = await m.Rotation.aggregate<FlowGroup>([
    { $match: { startDate: { $gte: from, $lte: to } } },
    { $group: { _id: { scheme: '$scheme', from: '$fromBodyId', to: '$toBodyId' }, n: { $sum: 1 } } },
  ])
    .option({ batchSize: FIRST_BATCH })
    .exec();
  const bodyIds = [...new Set(groups.flatMap((g) => [g._id.from.toHexString(), g._id.to.toHexString()]))];
  const regions = new Map(
    (await m.StateBody.find({ _id: { $in: bodyIds } }, '_id region').batchSize(FIRST_BATCH).lean<Array<Pick<StateBodyDoc, '_id' | 'region'>>>().exec()).map((b) => [b._id.toHexString(), b.region]),
  );
  const counts = new Map<string, { scheme: string; fromRegion: string; toRegion: string; n: number }>();
  for (const g of groups) {
    const fromRegion = regions.get(g._id.from.toHexString());
    const toRegion = regions.get(g._id.to.toHexString());
    // A rotation naming a body the register no longer has cannot be placed on the map.
    if (!fromRegion || !toRegion) continue;
    const id = `${g._id.scheme}|${fromRegion}|${toRegion}`;
    const flow = counts.get(id) ?? { scheme: g._id.scheme, fromRegion, toRegion, n: 0 };
    flow.n += g.n;
    counts.set(id, flow);
  }
  const flows = [...counts.values()].sort((a, b) => a.scheme.localeCompare(b.scheme) || a.fromRegion.localeCompare(b.fromRegion) || a.toRegion.localeCompare(b.toRegion));
  const hidden = options.suppress
    ? suppressedCells(flows.map((f) => ({ values: [f.scheme, f.fromRegion, f.toRegion], headcount: f.n })), options.threshold)
    : new Set<number>();
  return flows.map((f, i) => ({ scheme: f.scheme, fromRegion: f.fromRegion, toRegion: f.toRegion, count: hidden.has(i) ? null : f.n, suppressed: hidden.has(i) }));
}
