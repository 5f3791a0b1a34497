import { badUserInput, FEED_PAGE_MAX, type DirectoryEntry, type DirectoryModels } from '@civil-service/shared';

const FEED_PAGE_DEFAULT = 1000;

/**
 * `Query.servantDirectoryChanges`: personnel's change feed, read by the other subgraphs' directory
 * copies with a service token. Entries come in sequence order; each is the servant's whole current
 * snapshot, so the feed is compacted (a servant changed twice appears once, at its newest number).
 */
export function directoryFeedResolver(models: DirectoryModels) {
  return async (_: unknown, args: { after: number; first?: number | null }) => {
    if (!Number.isInteger(args.after) || args.after < 0) throw badUserInput('after must be a non-negative sequence number', 'after');
    const first = args.first ?? FEED_PAGE_DEFAULT;
    if (!Number.isInteger(first) || first < 1 || first > FEED_PAGE_MAX) throw badUserInput(`first must be between 1 and ${FEED_PAGE_MAX}`, 'first');
    const [entries, newest] = await Promise.all([
      models.Directory.find({ seq: { $gt: args.after } }).sort({ seq: 1 }).limit(first).lean<DirectoryEntry[]>(),
      models.Directory.findOne({}, { seq: 1 }).sort({ seq: -1 }).lean<Pick<DirectoryEntry, 'seq'>>(),
    ]);
    return {
      head: newest?.seq ?? 0,
      entries: entries.map((e) => ({ ...e, servantId: e._id, changedAt: e.changedAt.toISOString() })),
    };
  };
}
