import { parseArgs } from 'node:util';
import { SingleBar, Presets } from 'cli-progress';
import { ConfigError, mongoUri, runMain } from '@civil-service/shared';
import { seedAll, SEEDED_SUBGRAPHS, type SeededSubgraph } from './seed-lib';

/**
 * `npm run seed -- --servants N --seed S [--today YYYY-MM-DD]`: replaces the demo data of the four
 * subgraphs' databases at MONGODB_URI, or each at its own server where `<SUBGRAPH>_MONGODB_URI`
 * is set (PERSONNEL_, TRAINING_, EVALUATION_, SERVICES_QUALITY_MONGODB_URI), as when each agency
 * runs its own MongoDB. The same seed and day give the same data.
 */

/** Each subgraph's server: its own variable, else MONGODB_URI. */
function seedTargets(env: NodeJS.ProcessEnv): { uris: Record<SeededSubgraph, string>; shown: string } {
  const uriOf = (name: SeededSubgraph) =>
    mongoUri(env, `${name.toUpperCase().replace('-', '_')}_MONGODB_URI`, { required: false }) ?? mongoUri(env, 'MONGODB_URI', { required: true })!;
  const uris = Object.fromEntries(SEEDED_SUBGRAPHS.map((name) => [name, uriOf(name)])) as Record<SeededSubgraph, string>;
  const hide = (uri: string) => uri.replace(/\/\/[^@/]*@/, '//***@');
  const distinct = [...new Set(Object.values(uris))];
  return { uris, shown: distinct.length === 1 ? hide(distinct[0]) : SEEDED_SUBGRAPHS.map((name) => `${name} ${hide(uris[name])}`).join(', ') };
}

const USAGE = 'usage: npm run seed -- --servants <1-1000000> [--seed <text>] [--today YYYY-MM-DD]';
const MAX_SERVANTS = 1_000_000;

interface Args {
  servants: number;
  seed: string;
  today?: Date;
}

/** Argument errors read like configuration errors: the option named, what was expected, what came. */
export function parseSeedArgs(argv: string[]): Args {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: { servants: { type: 'string' }, seed: { type: 'string', default: '1' }, today: { type: 'string' }, help: { type: 'boolean' } },
    }));
  } catch (err) {
    throw new ConfigError('arguments', `${err instanceof Error ? err.message : String(err)}\n${USAGE}`);
  }
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const raw = values.servants;
  if (raw === undefined) throw new ConfigError('--servants', `is required\n${USAGE}`);
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_SERVANTS) {
    throw new ConfigError('--servants', `must be a whole number between 1 and ${MAX_SERVANTS}, got '${raw}'`);
  }
  const seed = values.seed.trim();
  if (!seed) throw new ConfigError('--seed', 'must not be empty');
  let today: Date | undefined;
  if (values.today !== undefined) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(values.today);
    today = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : undefined;
    if (!today || today.toISOString().slice(0, 10) !== values.today) throw new ConfigError('--today', `must be a date YYYY-MM-DD, got '${values.today}'`);
  }
  return { servants: Number(raw), seed, today };
}

async function main(): Promise<void> {
  const { uris, shown } = seedTargets(process.env);
  const { servants, seed, today } = parseSeedArgs(process.argv.slice(2));
  const started = Date.now();
  const bar = new SingleBar({ format: 'seeding {subgraph} [{bar}] {percentage}% | {value}/{total} servant-steps | {duration_formatted}', hideCursor: true }, Presets.shades_classic);
  const stages = new Map<SeededSubgraph, number>(SEEDED_SUBGRAPHS.map((s, i) => [s, i]));
  const interactive = process.stdout.isTTY === true;
  if (interactive) bar.start(servants * SEEDED_SUBGRAPHS.length, 0, { subgraph: 'personnel' });
  const stageTimes: Record<string, number> = {};
  let stage: SeededSubgraph | undefined;
  let stageStart = started;
  const { counts } = await seedAll({
    uri: uris,
    servants,
    seed,
    today,
    onProgress: ({ subgraph, done }) => {
      if (subgraph !== stage) {
        if (stage) stageTimes[stage] = Date.now() - stageStart;
        stage = subgraph;
        stageStart = Date.now();
        if (!interactive) console.log(`seeding ${subgraph}...`);
      }
      if (interactive) bar.update(stages.get(subgraph)! * servants + done, { subgraph });
    },
  });
  if (stage) stageTimes[stage] = Date.now() - stageStart;
  if (interactive) bar.stop();
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  console.log(`Seeded ${servants} servants (seed '${seed}') in ${seconds(Date.now() - started)} into ${shown}`);
  for (const [subgraph, byKind] of Object.entries(counts)) {
    const time = stageTimes[subgraph] !== undefined ? ` (about ${seconds(stageTimes[subgraph])})` : '';
    console.log(`  ${subgraph}${time}: ${Object.entries(byKind).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  }
}

if (require.main === module) runMain(main);
