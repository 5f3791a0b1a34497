import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createFileDurability, type FileDurability, type FileDurabilityOptions } from '../../src/persistence';
import type { Mutation } from '../../src/storage/mutation';

export async function tempDir(prefix = 'kzm-persist-'): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), prefix));
}

/** Opens a data directory and recovers it; returns the durability and what it recovered. */
export async function open(
  dir: string,
  opts: FileDurabilityOptions = {},
): Promise<{ d: FileDurability; recovered: Mutation[]; warnings: string[] }> {
  const warnings: string[] = [];
  const d = await createFileDurability(dir, { log: (m) => warnings.push(m), ...opts });
  const recovered = await d.recover();
  return { d, recovered, warnings };
}

export async function reopen(dir: string, opts: FileDurabilityOptions = {}) {
  const { d, recovered, warnings } = await open(dir, opts);
  await d.close();
  return { recovered, warnings };
}

export async function journalFiles(dir: string): Promise<string[]> {
  return (await fs.readdir(dir)).filter((n) => n.startsWith('journal-')).sort();
}

export function insert(i: number, extra: Record<string, unknown> = {}): Mutation {
  return { op: 'insert', db: 'hr', coll: 'people', doc: { _id: i, name: `person ${i}`, ...extra } };
}
