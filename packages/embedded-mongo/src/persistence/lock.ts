import { promises as fs, readFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * One server per data directory. Two processes appending to the same journal would interleave
 * records and each would compact away the other's writes, so the second one must refuse to start.
 *
 * The lock is a file created with O_EXCL holding the owner's pid and, on Linux, the owner's
 * start time (from /proc). A lock whose owner is gone (killed with SIGKILL, machine rebooted) is
 * stale and taken over. Comparing start times as well as pids catches the common container case
 * where the restarted server gets the same small pid as the dead one, or an unrelated process
 * inherits it.
 */

export const LOCK_FILE = 'mongod.lock';

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly ownerPid: number,
  ) {
    super(
      `data directory ${dataDir} is in use by another server (pid ${ownerPid}); ` +
        `stop it first, or delete ${path.join(dataDir, LOCK_FILE)} if you are sure no server uses it`,
    );
    this.name = 'DataDirLockedError';
  }
}

interface LockContent {
  pid: number;
  startTime?: string;
}

/** Directories this process holds, so a second open in the same process is refused too. */
const heldHere = new Set<string>();

export interface HeldLock {
  release(): Promise<void>;
}

export async function acquireLock(dataDir: string): Promise<HeldLock> {
  const dir = path.resolve(dataDir);
  const lockPath = path.join(dir, LOCK_FILE);
  if (heldHere.has(dir)) throw new DataDirLockedError(dir, process.pid);
  const mine: LockContent = { pid: process.pid, startTime: processStartTime(process.pid) };
  const content = JSON.stringify(mine) + '\n';

  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      await fs.writeFile(lockPath, content, { flag: 'wx' });
      heldHere.add(dir);
      return makeHeld(dir, lockPath);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const existing = await readLock(lockPath);
    if (existing && isAlive(existing)) throw new DataDirLockedError(dir, existing.pid);
    // Stale (or unreadable: the owner died between creating and writing it). Take it over by
    // renaming our own file over it: the rename is atomic, and re-reading afterwards tells us
    // whether a concurrent taker's rename landed after ours.
    const tmp = `${lockPath}.${process.pid}.tmp`;
    await fs.writeFile(tmp, content);
    await fs.rename(tmp, lockPath);
    const now = await readLock(lockPath);
    if (now && now.pid === mine.pid && now.startTime === mine.startTime) {
      heldHere.add(dir);
      return makeHeld(dir, lockPath);
    }
  }
  const owner = await readLock(lockPath);
  throw new DataDirLockedError(dir, owner?.pid ?? -1);
}

function makeHeld(dir: string, lockPath: string): HeldLock {
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      heldHere.delete(dir);
      await fs.rm(lockPath, { force: true });
    },
  };
}

async function readLock(lockPath: string): Promise<LockContent | null> {
  try {
    const parsed = JSON.parse(await fs.readFile(lockPath, 'utf8')) as Partial<LockContent>;
    return typeof parsed.pid === 'number' ? { pid: parsed.pid, startTime: parsed.startTime } : null;
  } catch {
    return null;
  }
}

function isAlive(owner: LockContent): boolean {
  if (owner.pid === process.pid) {
    // Our pid but not held by us (checked above): a previous incarnation with the same pid.
    return false;
  }
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = procStat(owner.pid);
  // A zombie (killed, not yet reaped by its parent) can no longer write anything.
  if (stat?.state === 'Z') return false;
  if (owner.startTime !== undefined && stat && stat.startTime !== owner.startTime) return false;
  return true;
}

function processStartTime(pid: number): string | undefined {
  return procStat(pid)?.startTime;
}

/** State and start time (clock ticks since boot) of a process; undefined where /proc is absent. */
function procStat(pid: number): { state: string; startTime: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses; fields resume after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0], startTime: fields[19] }; // fields 3 and 22 of proc(5)
  } catch {
    return undefined;
  }
}
