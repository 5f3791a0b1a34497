import type { Connection, Types } from 'mongoose';
import type { DirectoryModels } from '@civil-service/shared';
import type { PersonnelModels } from '../models';
import { buildDirectorySnapshots } from './builder';
import { writeSnapshots } from './writer';

const BATCH = 2000;

/**
 * Builds the servant directory of a register that has none: data written before the directory
 * existed (an older `.data`, a database restored from before the upgrade). Every start runs it; it
 * costs one query when the directory is there. Servants are taken in id order, a batch at a time,
 * each batch numbered like any change, so the other subgraphs' copies fill from the feed as usual.
 */
export async function backfillDirectory(db: Connection, models: PersonnelModels, directory: DirectoryModels): Promise<number> {
  if (await directory.Directory.exists({})) return 0;
  let written = 0;
  let after: Types.ObjectId | undefined;
  for (;;) {
    const ids = (await models.CivilServant.find(after ? { _id: { $gt: after } } : {}, { _id: 1 }).sort({ _id: 1 }).limit(BATCH).lean<Array<{ _id: Types.ObjectId }>>()).map((d) => d._id);
    if (ids.length === 0) return written;
    await writeSnapshots(db, directory, await buildDirectorySnapshots(models, ids), new Date());
    written += ids.length;
    after = ids[ids.length - 1];
  }
}
