import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { promises as fs, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { DataDirLockedError, createFileDurability } from '../../src/persistence';
import { insert, open, reopen, tempDir } from './helpers';

const lockPath = (dir: string) => path.join(dir, 'mongod.lock');

function startTime(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

describe('data directory lock', () => {
  it('refuses a second opener while the first holds the directory, and frees it on close', async () => {
    const dir = await tempDir();
    const { d } = await open(dir);
    await expect(createFileDurability(dir)).rejects.toBeInstanceOf(DataDirLockedError);
    await d.append([insert(1)]);
    await d.close();
    await expect(fs.access(lockPath(dir))).rejects.toThrow();
    expect((await reopen(dir)).recovered).toEqual([insert(1)]);
  });

  it('refuses a directory locked by another live process, naming its pid', async () => {
    const dir = await tempDir();
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });
    try {
      await fs.writeFile(lockPath(dir), JSON.stringify({ pid: child.pid, startTime: startTime(child.pid!) }));
      const err = await createFileDurability(dir).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(DataDirLockedError);
      expect((err as Error).message).toContain(`pid ${child.pid}`);
      expect((err as Error).message).toContain(dir);
    } finally {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    // Once that process is gone, the lock is stale and taken over.
    const { d } = await open(dir);
    expect(JSON.parse(await fs.readFile(lockPath(dir), 'utf8')).pid).toBe(process.pid);
    await d.close();
  });

  it('takes over stale locks: dead owner, reused pid, our own pid from a past life, garbage', async () => {
    const dead = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    await once(dead, 'exit');
    const contents = [
      JSON.stringify({ pid: dead.pid }),
      // A live pid (ours' parent) whose start time does not match: the pid was reused.
      JSON.stringify({ pid: process.ppid, startTime: '1' }),
      JSON.stringify({ pid: process.pid, startTime: startTime(process.pid) }),
      '',
      '{"pid": ',
    ];
    for (const content of contents) {
      const dir = await tempDir();
      await fs.writeFile(lockPath(dir), content);
      const { d } = await open(dir);
      const held = JSON.parse(await fs.readFile(lockPath(dir), 'utf8'));
      expect({ content, pid: held.pid }).toEqual({ content, pid: process.pid });
      await d.close();
    }
  });
});
