/**
 * `npm run audit:verify`: walks personnel's hash-chained audit log at MONGODB_URI and says whether
 * it is intact. Exit 0: valid; 1: broken (the first broken entry's seq and why); 2: configuration.
 * Read-only: it opens its own connection and never writes, so it can run beside live subgraphs.
 */
import { ConfigError, connectDatabase, databaseNameFor, mongoUri, runMain, verifyAuditChain, type ChainReport } from '@civil-service/shared';
import { personnelAuditModel } from '@civil-service/personnel';

const EXIT_OK = 0;
const EXIT_BROKEN = 1;
// Not 1: a script or cron job must be able to tell "the log was tampered with" from "I was set up wrong".
const EXIT_CONFIG = 2;

function describeReport(report: ChainReport, where: string): string {
  if (report.ok) {
    const tail = report.count === 0 ? 'the log is empty' : `last seq ${report.lastSeq}, last hash ${report.lastHash}`;
    return [
      `audit chain OK: ${report.count} entries checked in ${where} (${tail})`,
      // Cutting entries off the end leaves a valid chain; only a published tail hash catches that.
      'compare the last hash with the one published earlier to catch a truncated tail',
    ].join('\n');
  }
  return [
    `audit chain BROKEN at seq ${report.brokenAt}: ${report.reason}`,
    `${report.count} entries before it checked in ${where}; every entry from seq ${report.brokenAt} on is untrusted`,
  ].join('\n');
}

async function verify(env: NodeJS.ProcessEnv): Promise<number> {
  const uri = mongoUri(env, 'MONGODB_URI', { required: true })!;
  const dbName = databaseNameFor('personnel');
  const db = await connectDatabase({ uri, dbName, maxPoolSize: 2 });
  try {
    const report = await verifyAuditChain(personnelAuditModel(db));
    const out = describeReport(report, `${dbName}.audit_log`);
    if (report.ok) console.log(out);
    else console.error(out);
    return report.ok ? EXIT_OK : EXIT_BROKEN;
  } finally {
    await db.close();
  }
}

runMain(async () => {
  try {
    // exitCode rather than exit(): stdout is flushed before the process ends when it is a pipe.
    process.exitCode = await verify(process.env);
  } catch (err) {
    // runMain would exit 1 on a ConfigError too, which here means "broken chain".
    if (!(err instanceof ConfigError)) throw err;
    console.error(`Configuration error: ${err.message}`);
    process.exitCode = EXIT_CONFIG;
  }
});
