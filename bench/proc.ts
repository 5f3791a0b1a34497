/**
 * Child processes of the bench: spawning (optionally pinned with taskset), readiness, stopping,
 * and peak memory read from /proc, so every figure is taken from outside the measured process.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export const REPO_ROOT = path.resolve(__dirname, '..');

export interface Proc {
  name: string;
  child: ChildProcess;
  /** The first and last lines the process wrote (an error's name is at the head of a long dump). */
  output(): string;
  /** The last lines only: where a result line is. */
  tail(): string;
  /** Resolves when the process has exited. */
  exited: Promise<number | null>;
}

const hasTaskset = spawnSync('taskset', ['-p', String(process.pid)], { stdio: 'ignore' }).status === 0;

/** `npx tsx <args>` (or another command), in its own process group so stop() reaches tsx's child. */
export function start(name: string, command: string, args: string[], env: Record<string, string>, cpus?: string): Proc {
  const pinned = cpus !== undefined && hasTaskset;
  const child = spawn(pinned ? 'taskset' : command, pinned ? ['-c', cpus, command, ...args] : args, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let head = '';
  let tail = '';
  let dropped = false;
  const keep = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    if (head.length < 3000) head += text.slice(0, 3000 - head.length);
    tail = (tail + text).slice(-4000);
    dropped ||= tail.length + head.length >= 7000;
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const output = () => (dropped ? `${head}\n[…]\n${tail}` : tail);
  return { name, child, output, tail: () => tail, exited };
}

export async function stop(proc: Proc): Promise<void> {
  const pid = proc.child.pid;
  if (pid === undefined || proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }, 5000);
  await proc.exited;
  clearTimeout(timer);
}

/** A port that was free a moment ago; the processes bind it at once, so a race is unlikely. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Polls `probe` until it succeeds; fails early with the process's output if it dies. */
export async function waitUntil(proc: Proc, what: string, probe: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null) throw new Error(`${proc.name} exited (${proc.child.exitCode}) before ${what}:\n${proc.output()}`);
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${proc.name}: no ${what} after ${timeoutMs} ms:\n${proc.output()}`);
}

export function httpOk(url: string): () => Promise<boolean> {
  return async () => (await fetch(url, { signal: AbortSignal.timeout(2000) })).ok;
}

export function tcpOpen(port: number): () => Promise<boolean> {
  return () =>
    new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
}

function childrenOf(): Map<number, number[]> {
  const tree = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The command name may hold spaces and parentheses; the fields after the last ')' do not.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      tree.set(ppid, [...(tree.get(ppid) ?? []), Number(entry)]);
    } catch {
      // exited while we looked
    }
  }
  return tree;
}

/** CPU time used so far by these processes, in clock ticks (user + system). */
function cpuTicks(pids: number[]): number {
  let ticks = 0;
  for (const p of pids) {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime and stime, fields 14 and 15 of proc(5), counted from the state (field 3).
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // exited while we looked
    }
  }
  return ticks;
}

/** Linux reports CPU time in USER_HZ ticks, 100 per second on every architecture Node runs on. */
const TICKS_PER_SECOND = 100;

/**
 * Waits until the processes together use less than `share` of one CPU over a window (a second by
 * default), two windows in a row, or `maxMs` has passed. Why: after seeding, the servers still work
 * in the background (snapshots of the journals, facts read into memory), and the first run measured
 * would pay for it; after a run, the requests cut off at its end are still being answered.
 */
export async function waitForQuiet(procs: Proc[], { share = 0.15, maxMs = 240_000, windowMs = 1000 } = {}): Promise<{ waitedMs: number; quiet: boolean }> {
  // The servers and their wrappers (npx → tsx → node), looked up once: they do not change while we wait.
  const pids = procs.flatMap((p) => (p.child.pid === undefined ? [] : descendants(p.child.pid)));
  const total = () => cpuTicks(pids);
  const started = Date.now();
  let quietWindows = 0;
  let last = total();
  while (quietWindows < 2 && Date.now() - started < maxMs) {
    await new Promise((r) => setTimeout(r, windowMs));
    const now = total();
    quietWindows = (now - last) / TICKS_PER_SECOND < (share * windowMs) / 1000 ? quietWindows + 1 : 0;
    last = now;
  }
  return { waitedMs: Date.now() - started, quiet: quietWindows >= 2 };
}

/** The process and its descendants (npx → tsx → node): the server is one of them. */
function descendants(pid: number): number[] {
  const tree = childrenOf();
  const out: number[] = [];
  const walk = (p: number) => {
    out.push(p);
    for (const c of tree.get(p) ?? []) walk(c);
  };
  walk(pid);
  return out;
}

function statusField(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * Peak RSS in bytes of the biggest process in the tree, which is the server itself: the npx and
 * tsx wrappers above it stay small. Read from the kernel's high-water mark (VmHWM).
 */
export function peakRss(proc: Proc): number {
  const pid = proc.child.pid;
  if (pid === undefined) return 0;
  return Math.max(0, ...descendants(pid).map((p) => statusField(p, 'VmHWM')));
}

/**
 * Resets the kernel's high-water mark so the next peakRss() covers one measurement only
 * (writing 5 to clear_refs, Linux 4.0+). Returns false where that is not allowed.
 */
export function resetPeakRss(proc: Proc): boolean {
  const pid = proc.child.pid;
  if (pid === undefined) return false;
  let ok = true;
  for (const p of descendants(pid)) {
    try {
      writeFileSync(`/proc/${p}/clear_refs`, '5');
    } catch {
      ok = false;
    }
  }
  return ok;
}

/** CPU layout for pinning: the gateway on its own core, everything behind it on the others. */
export interface Pinning {
  gateway?: string;
  backend?: string;
  load?: string;
  /**
   * Every CPU: where the backend runs for the scenarios where it does most of the work (the
   * profile, the list, analytics), so the gateway's core does not sit idle while MongoDB and the
   * subgraphs share one. Both gateways meet the same backend there, and a gateway that takes more
   * CPU leaves it less, as in a deployment on one machine.
   */
  all?: string;
  note: string;
}

export function planPinning(enabled: boolean): Pinning {
  const cpus = allowedCpus();
  if (!enabled) return { note: 'pinning off (--no-pin)' };
  if (!hasTaskset) return { note: 'taskset not found: processes not pinned' };
  if (cpus.length < 2) return { note: `only ${cpus.length} CPU allowed: processes not pinned` };
  if (cpus.length === 2) {
    // Two cores cannot give the load generator one of its own; letting it float costs both sides alike.
    return {
      gateway: String(cpus[0]),
      backend: String(cpus[1]),
      all: cpus.join(','),
      note: `gateway (ours or Hive) on CPU ${cpus[0]}; MongoDB, subgraphs, bench proxies on CPU ${cpus[1]} (on both CPUs for a, b, e-j and k, where they do most of the work); load generator not pinned (2 CPUs)`,
    };
  }
  const backend = cpus.slice(2).join(',');
  return {
    gateway: String(cpus[0]),
    load: String(cpus[1]),
    backend,
    all: cpus.join(','),
    note: `gateway on CPU ${cpus[0]}; load generator on CPU ${cpus[1]}; MongoDB, subgraphs, bench proxies on CPUs ${backend} (on every CPU for a, b, e-j and k, where they do most of the work)`,
  };
}

function allowedCpus(): number[] {
  const m = /^Cpus_allowed_list:\s*(.+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
  if (!m) return [];
  return m[1].split(',').flatMap((part) => {
    const [a, b] = part.split('-').map(Number);
    return b === undefined ? [a] : Array.from({ length: b - a + 1 }, (_, i) => a + i);
  });
}

/** Moves running processes, their threads and their children to `cpus`. */
export function repin(procs: Proc[], cpus: string | undefined): void {
  if (cpus === undefined || !hasTaskset) return;
  for (const proc of procs) {
    const pid = proc.child.pid;
    if (pid === undefined) continue;
    for (const p of descendants(pid)) spawnSync('taskset', ['-a', '-p', '-c', cpus, String(p)], { stdio: 'ignore' });
  }
}

/** Pins this process (the bench, which hosts the counting proxies) with the backend. */
export function pinSelf(cpus: string | undefined): void {
  if (cpus !== undefined && hasTaskset) spawnSync('taskset', ['-a', '-p', '-c', cpus, String(process.pid)], { stdio: 'ignore' });
}
