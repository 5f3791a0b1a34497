import type { Model, Types } from 'mongoose';
import {
  alertConnection,
  alertDirectoryTest,
  callerOf,
  checkAlertFilter,
  checkFirst,
  placedAlert,
  rulesAsked,
  selectAlerts,
  sortAlerts,
  type AlertRule,
  type ComplianceAlert,
  type DirectoryEntry,
  type DirectoryModels,
} from '@civil-service/shared';
import type { PersonnelModels, ReserveMembershipDoc } from '../models';
import type { Context } from '../resolvers/context';
import { isoDay, utcDay } from '../rules/dates';
import type { PersonnelRules } from '../rules/reference';
import { categoryFinding, DISMISSAL_REASONS, factsOf, rotationFinding, type Dismissal, type ServantFacts } from './alerts-rules';

/** The rules this list checks, in the shared order. */
export const PERSONNEL_ALERT_RULES: readonly AlertRule[] = ['ROTATION_TENURE_EXCEEDED', 'REENTRY_BAR_BREACH', 'CATEGORY_LEVEL_MISMATCH', 'OVERLAPPING_ASSIGNMENTS', 'CORPS_A_WITHOUT_RESERVE'];

/** Directory entries read per batch while catching up. */
const SYNC_BATCH = 5000;

type Scoped = ComplianceAlert & { region: string; stateBodyId: string; bodyChain: string[] };

/**
 * The per-servant facts of the alert rules, kept per subgraph instance and caught up from the
 * directory master copy by sequence number, the way the other subgraphs' copies follow the feed.
 * Why: the rules compare each servant's whole history (overlaps, bars, holdings), which no index
 * answers; reading every directory entry per request costs seconds at 100,000 servants. Every write
 * path that changes an assignment or a reserve membership rewrites the servant's entry with a new
 * number, so a request costs one indexed read of the newest number unless something changed, and
 * then only the changed entries are read again (with one query each for their dismissals and reserve).
 */
class AlertFacts {
  private facts = new Map<string, ServantFacts>();
  private seq = 0;
  /** The entry at `seq` when read: a reseed puts another servant or time there. */
  private seqMark: string | null = null;
  private catchingUp: Promise<void> | null = null;
  /** Alerts computed for one day and version, all servants, sorted. */
  private memo: { key: string; alerts: Scoped[] } | null = null;

  constructor(
    private readonly Directory: Model<DirectoryEntry>,
    private readonly models: PersonnelModels,
  ) {}

  async alertsOn(today: Date, rules: PersonnelRules): Promise<Scoped[]> {
    await this.catchUp(rules, today);
    const key = `${isoDay(today)}:${this.seq}`;
    if (this.memo?.key !== key) this.memo = { key, alerts: this.compute(today, rules) };
    return this.memo.alerts;
  }

  private catchUp(rules: PersonnelRules, today: Date): Promise<void> {
    // Concurrent requests share one catch-up instead of each reading the changes.
    this.catchingUp ??= this.readChanges(rules, today).finally(() => {
      this.catchingUp = null;
    });
    return this.catchingUp;
  }

  private async readChanges(rules: PersonnelRules, today: Date): Promise<void> {
    const head = await this.Directory.findOne({}, { seq: 1 }).sort({ seq: -1 }).lean<Pick<DirectoryEntry, 'seq'>>();
    const headSeq = head?.seq ?? 0;
    if (headSeq === this.seq && (this.seq === 0 || (await this.stillSame()))) return;
    // A lower head, or a different entry at our number, means the data was replaced (a reseed).
    if (headSeq < this.seq || !(await this.stillSame())) this.reset();
    for (;;) {
      const entries = await this.Directory.find({ seq: { $gt: this.seq } }).sort({ seq: 1 }).limit(SYNC_BATCH).lean<DirectoryEntry[]>();
      if (!entries.length) break;
      await this.apply(entries, rules, today);
      const last = entries[entries.length - 1];
      this.seq = last.seq;
      this.seqMark = `${last._id}@${last.changedAt.getTime()}`;
      this.memo = null;
      if (entries.length < SYNC_BATCH) break;
    }
  }

  private async stillSame(): Promise<boolean> {
    if (this.seq === 0) return true;
    const at = await this.Directory.findOne({ seq: this.seq }, { changedAt: 1 }).lean<Pick<DirectoryEntry, '_id' | 'changedAt'>>();
    return at ? `${at._id}@${at.changedAt.getTime()}` === this.seqMark : false;
  }

  private reset(): void {
    this.facts = new Map();
    this.seq = 0;
    this.seqMark = null;
    this.memo = null;
  }

  private async apply(entries: DirectoryEntry[], rules: PersonnelRules, today: Date): Promise<void> {
    const inService = entries.filter((e) => e.stateBodyId !== null);
    // Only a servant with an earlier holding can have been barred; only a corps A holder needs the reserve.
    const rehired = inService.filter((e) => e.periods.length > 1).map((e) => e._id);
    const corpsA = inService.filter((e) => e.corps === 'A').map((e) => e._id);
    const [dismissals, reserve] = await Promise.all([
      rehired.length
        ? this.models.Assignment.find({ servantId: { $in: rehired }, endReason: { $in: DISMISSAL_REASONS } }, 'servantId endDate endReason').lean<Array<{ servantId: Types.ObjectId; endDate: Date | null; endReason: string }>>()
        : [],
      corpsA.length ? this.models.ReserveMembership.find({ servantId: { $in: corpsA }, type: 'CORPS_A' }).lean<ReserveMembershipDoc[]>() : [],
    ]);
    const dismissalsOf = groupBy(
      dismissals.filter((d) => d.endDate).map((d) => ({ servantId: d.servantId.toHexString(), reason: d.endReason, endDate: d.endDate! })),
      (d) => d.servantId,
    );
    const reserveOf = groupBy(reserve, (r) => r.servantId.toHexString());
    for (const entry of entries) {
      const facts = factsOf(entry, (dismissalsOf.get(entry._id) ?? []) as Dismissal[], reserveOf.get(entry._id) ?? [], rules, today);
      if (facts) this.facts.set(entry._id, facts);
      else this.facts.delete(entry._id);
    }
  }

  private compute(today: Date, rules: PersonnelRules): Scoped[] {
    const table = rules.categoryTableAt(today);
    const limits = rules.rotationLimitsAt(today);
    // Positions repeat across servants: judge each code/level/corps once.
    const categoryOf = new Map<string, ReturnType<typeof categoryFinding>>();
    const out: Scoped[] = [];
    for (const f of this.facts.values()) {
      const scope = { region: f.region, stateBodyId: f.stateBodyId, bodyChain: f.bodyChain };
      for (const finding of f.fixed) out.push(placedAlert(finding, f.id, scope));
      if (f.rotationStart) {
        const rotation = rotationFinding(f.rotationStart, limits, today);
        if (rotation) out.push(placedAlert(rotation, f.id, scope));
      }
      const key = `${f.current.categoryCode}|${f.current.stateBodyLevel}|${f.current.corps}`;
      if (!categoryOf.has(key)) categoryOf.set(key, categoryFinding({ ...f.current, positionId: '' }, table));
      if (categoryOf.get(key)) out.push(placedAlert(categoryFinding(f.current, table)!, f.id, scope));
    }
    return sortAlerts(out);
  }
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const list = out.get(key);
    if (list) list.push(item);
    else out.set(key, [item]);
  }
  return out;
}

// One store per directory model, i.e. per subgraph instance and database.
const stores = new WeakMap<Model<DirectoryEntry>, AlertFacts>();

function storeFor(directory: DirectoryModels, models: PersonnelModels): AlertFacts {
  let store = stores.get(directory.Directory);
  if (!store) stores.set(directory.Directory, (store = new AlertFacts(directory.Directory, models)));
  return store;
}

/**
 * Reads every directory entry into the alert facts before the first request needs them: at
 * 100,000 servants that takes seconds, longer than the gateway waits for a subgraph, so the first
 * `personnelAlerts` after a start would otherwise fail.
 */
export async function warmPersonnelAlerts(directory: DirectoryModels, models: PersonnelModels, rules: PersonnelRules, today: Date): Promise<void> {
  await storeFor(directory, models).alertsOn(today, rules);
}

/** `Query.personnelAlerts`. */
export async function personnelAlerts(_: unknown, args: { filter?: unknown; first?: unknown; after?: unknown }, ctx: Context) {
  const filter = checkAlertFilter(args.filter);
  checkFirst(args.first);
  const inScope = alertDirectoryTest(filter, callerOf(ctx));
  const asked = new Set(rulesAsked(filter, PERSONNEL_ALERT_RULES));
  const all = asked.size ? await storeFor(ctx.directory, ctx.models).alertsOn(utcDay(ctx.now()), ctx.rules) : [];
  return alertConnection(selectAlerts(all, asked, inScope), args.first, args.after);
}

/** The alert's servant is personnel's own entity: one batched read for the page. */
export const complianceAlertResolvers = {
  ComplianceAlert: {
    servant: (alert: { servant: { id: string } }, _: unknown, ctx: Context) => ctx.loaders.servant.load(alert.servant.id),
  },
};
