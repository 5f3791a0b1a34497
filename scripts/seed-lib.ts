import type { Connection } from 'mongoose';
import { connectDatabase, createRng, databaseNameFor, type RosterEntry, type StateBodyEntry } from '@civil-service/shared';
import { seedPersonnel } from '@civil-service/personnel';
import { seedTraining } from '@civil-service/training';
import { seedEvaluation } from '@civil-service/evaluation';
import { seedServicesQuality } from '@civil-service/services-quality';

export const SEEDED_SUBGRAPHS = ['personnel', 'training', 'evaluation', 'services-quality'] as const;
export type SeededSubgraph = (typeof SEEDED_SUBGRAPHS)[number];

export interface SeedProgress {
  subgraph: SeededSubgraph;
  /** Servants this subgraph has processed so far. */
  done: number;
  /** Servants it will process. */
  total: number;
}

export interface SeedAllOptions {
  /** One server for the four databases, or each subgraph's own (each agency its own MongoDB). */
  uri: string | Record<SeededSubgraph, string>;
  servants: number;
  seed: number | string;
  /** The day the demo data is as of (default today); the same seed and day give the same data. */
  today?: Date;
  onProgress?: (progress: SeedProgress) => void;
}

export interface SeedAllResult {
  /** Documents written, by subgraph and kind. */
  counts: Record<string, Record<string, number>>;
  roster: RosterEntry[];
  bodies: StateBodyEntry[];
}

/**
 * Seeds the four subgraphs' databases with one consistent demo data set: personnel first (it
 * owns identity and hands out the roster), then the others from that roster. Each subgraph gets a
 * random source of its own derived from the seed, so changing one seeder does not reshuffle the
 * data of the others.
 */
export async function seedAll({ uri, servants, seed, today, onProgress }: SeedAllOptions): Promise<SeedAllResult> {
  const connections: Connection[] = [];
  const connect = async (name: SeededSubgraph) => {
    const db = await connectDatabase({ uri: typeof uri === 'string' ? uri : uri[name], dbName: databaseNameFor(name) });
    connections.push(db);
    return db;
  };
  const rngFor = (name: SeededSubgraph) => createRng(`${seed}:${name}`);
  const progress = (subgraph: SeededSubgraph) => {
    let done = 0;
    return (increment: number) => {
      done += increment;
      onProgress?.({ subgraph, done, total: servants });
    };
  };
  const counts: Record<string, Record<string, number>> = {};
  // Plain records: each seeder reports its own counts type.
  const plain = (c: object) => Object.fromEntries(Object.entries(c).filter(([, v]) => typeof v === 'number')) as Record<string, number>;
  try {
    const personnel = await seedPersonnel(await connect('personnel'), { servants, rng: rngFor('personnel'), today, onProgress: progress('personnel') });
    counts.personnel = personnel.counts;
    const { roster, bodies } = personnel;
    const common = { roster, bodies, today };
    counts.training = plain((await seedTraining(await connect('training'), { ...common, rng: rngFor('training'), onProgress: progress('training') })).counts);
    counts.evaluation = plain((await seedEvaluation(await connect('evaluation'), { ...common, rng: rngFor('evaluation'), onProgress: progress('evaluation') })).counts);
    counts['services-quality'] = plain(
      (await seedServicesQuality(await connect('services-quality'), { ...common, rng: rngFor('services-quality'), onProgress: progress('services-quality') })).counts,
    );
    return { counts, roster, bodies };
  } finally {
    await Promise.all(connections.map((c) => c.close()));
  }
}
