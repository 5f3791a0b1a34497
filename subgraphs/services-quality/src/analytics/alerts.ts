import {
  addUtcMonths,
  alertDirectoryMatch,
  isoDay,
  rulesAsked,
  type AlertFilter,
  type AlertRule,
  type Caller,
  type ComplianceAlert,
  type DirectoryModels,
} from '@civil-service/shared';
import type { ServicesQualityModels } from '../models';
import { ONE_REPLY } from '../loaders';
import type { ViolationRules } from '../rules/violations';

/** The alert rules this subgraph owns. */
export const OWNED_RULES: readonly AlertRule[] = ['REPEATED_SERVICE_VIOLATIONS'];

interface Offender {
  _id: string;
  detections: Array<{ on: Date; type: string }>;
}

/**
 * REPEATED_SERVICE_VIOLATIONS: a servant in service with at least `threshold` violations attributed
 * to them detected in (today − windowMonths, today]. `since` is the day the violation that made the
 * count reach the threshold was detected (counting only violations still in the window): from that
 * day the servant has been over the threshold without a break up to today.
 *
 * Two commands whatever the number of servants: the window's violations grouped by servant (few,
 * through the detectedOn index), then the offenders the caller may see among the directory's
 * servants in service (by id, with the filter and hr's scope).
 */
export async function repeatedViolationAlerts(
  models: ServicesQualityModels & DirectoryModels,
  filter: AlertFilter,
  caller: Caller | undefined,
  today: Date,
  rules: ViolationRules,
): Promise<ComplianceAlert[]> {
  const match = alertDirectoryMatch(filter, caller);
  if (rulesAsked(filter, OWNED_RULES).length === 0) return [];
  const after = addUtcMonths(today, -rules.windowMonths);
  const offenders = await models.Violation.aggregate<Offender>([
    { $match: { detectedOn: { $gt: after, $lte: today }, servantId: { $ne: null } } },
    { $group: { _id: '$servantId', n: { $sum: 1 }, detections: { $push: { on: '$detectedOn', type: '$type' } } } },
    { $match: { n: { $gte: rules.threshold } } },
  ])
    .option({ batchSize: ONE_REPLY })
    .exec();
  if (offenders.length === 0) return [];
  const visible = await models.Directory.find({ ...match, _id: { $in: offenders.map((o) => o._id) } }, { _id: 1 })
    .batchSize(ONE_REPLY)
    .lean<Array<{ _id: string }>>()
    .exec();
  const inScope = new Set(visible.map((d) => d._id));
  return offenders
    .filter((o) => inScope.has(o._id))
    .map((o) => {
      const detections = [...o.detections].sort((a, b) => a.on.getTime() - b.on.getTime() || a.type.localeCompare(b.type));
      const byType = new Map<string, number>();
      for (const d of detections) byType.set(d.type, (byType.get(d.type) ?? 0) + 1);
      const types = [...byType].sort(([a, x], [b, y]) => y - x || a.localeCompare(b)).map(([type, n]) => `${n} ${type}`);
      return {
        rule: 'REPEATED_SERVICE_VIOLATIONS' as const,
        since: detections[rules.threshold - 1].on,
        detail:
          `${detections.length} violations of public-service standards in the ${rules.windowMonths} months to ${isoDay(today)} ` +
          `(threshold ${rules.threshold}): ${types.join(', ')}`,
        servantId: o._id,
      };
    });
}
