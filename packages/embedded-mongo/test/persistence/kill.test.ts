import { spawn } from 'node:child_process';
import { once } from 'node:events';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { createHash } from 'node:crypto';
import { open, tempDir } from './helpers';
import { Model } from './model';

/**
 * SIGKILL the durability layer itself (no server around it) at random moments while eight
 * concurrent writers append and compactions run every few dozen records, then check what a
 * restart recovers. Repeated over several kill/restart rounds on one data directory, so kills
 * land before, during and after compactions, and recovery of a previous round's torn tail is
 * itself followed by more crashes.
 */

const WRITER = path.join(__dirname, 'fixtures', 'journal-writer.ts');
const ROUNDS = 6;

interface RoundResult {
  acked: number[];
  compactions: number;
}

async function runAndKill(dir: string, firstSeq: number, killAfterAcks: number): Promise<RoundResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', WRITER, dir, String(firstSeq)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit');
  const acked: number[] = [];
  let compactions = 0;
  const lines = createInterface({ input: child.stdout });
  const drained = once(lines, 'close');
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`writer made no progress; stderr:\n${stderr}`)), 30000);
    lines.on('line', (line) => {
      const [word, n] = line.split(' ');
      if (word === 'ack') acked.push(Number(n));
      if (word === 'compacted') compactions = Number(n);
      if (acked.length >= killAfterAcks && child.exitCode === null && !child.killed) {
        child.kill('SIGKILL');
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (!child.killed) reject(new Error(`writer exited by itself (${code}); stderr:\n${stderr}`));
    });
  });
  await exited;
  // Lines already in the pipe when the kill landed were acknowledged too.
  await drained;
  return { acked, compactions };
}

function expectedPayload(seq: number, j: number): string {
  return createHash('sha256').update(`${seq}/${j}`).digest('hex').repeat(1 + ((seq * 7 + j) % 20));
}

describe('SIGKILL during appends and compactions', () => {
  it('recovers every acknowledged batch, whole, in order, across repeated crashes', async () => {
    const dir = await tempDir();
    let nextSeq = 0;
    let totalCompactions = 0;
    const everAcked = new Set<number>();
    for (let round = 0; round < ROUNDS; round++) {
      const killAfter = 60 + Math.floor(Math.random() * 400);
      const { acked, compactions } = await runAndKill(dir, nextSeq, killAfter);
      totalCompactions += compactions;
      acked.forEach((s) => everAcked.add(s));

      const { d, recovered } = await open(dir);
      const model = new Model().applyAll(recovered);
      await d.close();
      const docs = [...model.docs('crash', 'docs').values()];
      const bySeq = new Map<number, number>();
      for (const doc of docs) {
        // No half-written document: every field is exactly what was written.
        expect(doc.payload).toBe(expectedPayload(doc.seq, doc.j));
        expect(doc._id).toBe(doc.seq * 10 + doc.j);
        bySeq.set(doc.seq, (bySeq.get(doc.seq) ?? 0) + 1);
      }
      const seqs = [...bySeq.keys()].sort((a, b) => a - b);
      // Batches are all-or-nothing.
      for (const s of seqs) expect({ s, n: bySeq.get(s) }).toEqual({ s, n: 1 + (s % 5) });
      // Appends are durable in the order they were made: what survives is a prefix 0..k-1 ...
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i));
      // ... that contains every batch that was ever acknowledged.
      const missing = [...everAcked].filter((s) => !bySeq.has(s));
      expect({ round, missing }).toEqual({ round, missing: [] });
      expect(seqs.length).toBeGreaterThanOrEqual(nextSeq + acked.length);
      nextSeq = seqs.length;
    }
    // The kills must have exercised compaction, not only plain appends.
    expect(totalCompactions).toBeGreaterThan(0);
  }, 180_000);
});
