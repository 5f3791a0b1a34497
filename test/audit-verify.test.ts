import { execFile } from 'node:child_process';
import path from 'node:path';
import { auditModel } from '@civil-service/shared';
import { REPO_ROOT, startStack, type Stack } from './helpers/stack';

/**
 * `npm run audit:verify` as an operator runs it: a separate process against the stack's MongoDB,
 * after audited reads through the gateway.
 */
let stack: Stack;
let iins: string[];
beforeAll(async () => {
  stack = await startStack({ servants: 40, seed: 11 });
  const servants = await stack.dbs.personnel.db!.collection('civil_servants').find({ status: 'ACTIVE' }).limit(3).toArray();
  iins = servants.map((s) => String(s.iin));
});
afterAll(() => stack?.stop());

const TSX = path.join(REPO_ROOT, 'node_modules', '.bin', 'tsx');

/** Asynchronous on purpose: the embedded MongoDB answers from this process's event loop. */
function auditVerify(env: Record<string, string | undefined>): Promise<{ code: number; stdout: string; stderr: string }> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete childEnv[k];
  return new Promise((resolve) => {
    execFile(TSX, ['scripts/audit-verify.ts'], { cwd: REPO_ROOT, env: childEnv, timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

const PROFILE = 'query P($iin: IIN!) { civilServant(iin: $iin) { id iin lastName sanctions { type } } }';

describe('npm run audit:verify', () => {
  it('exit 0 with the number of entries after audited reads; exit 1 naming the seq of a tampered entry', async () => {
    for (const iin of iins) {
      // The stack's default caller is monitoring with a purpose: every read of these fields is audited.
      const res = await stack.query(PROFILE, { iin });
      expect(res.errors).toBeUndefined();
    }
    const model = await auditModel(stack.dbs.personnel);
    const entries = await model.countDocuments();
    expect(entries).toBeGreaterThanOrEqual(iins.length);

    const valid = await auditVerify({ MONGODB_URI: stack.mongoUri });
    expect(valid).toMatchObject({ code: 0, stderr: '' });
    expect(valid.stdout).toContain(`audit chain OK: ${entries} entries checked in personnel.audit_log`);

    // Around the model (which refuses updates), as someone with raw database access would.
    const tampered = Math.min(2, entries);
    await stack.dbs.personnel.db!.collection('audit_log').updateOne({ seq: tampered }, { $set: { purpose: 'nothing to see here' } });
    const broken = await auditVerify({ MONGODB_URI: stack.mongoUri });
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain(`audit chain BROKEN at seq ${tampered}: content does not match its hash`);
    expect(broken.stderr).toContain(`${tampered - 1} entries before it checked`);
  });

  it('exit 2 naming the variable when MONGODB_URI is missing or not a MongoDB URI', async () => {
    const missing = await auditVerify({ MONGODB_URI: undefined });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('Configuration error: MONGODB_URI: is required and not set');
    const wrong = await auditVerify({ MONGODB_URI: 'http://127.0.0.1:27017' });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('MONGODB_URI: must start with mongodb://');
  });
});
