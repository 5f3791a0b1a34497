import { Types } from 'mongoose';
import { ALERT_RULES, makeIIN } from '@civil-service/shared';
import { contractDocument, startStack, type Stack } from './helpers/stack';

/**
 * The analytics contract (../shared/contract/analytics.graphql) through the gateway, on the demo
 * data: every subgraph's measures on the same segments, numbers that agree when the same question
 * is asked two ways, small groups hidden from all but monitoring, the alert lists, and the servant
 * directory copies following personnel within seconds.
 */
let stack: Stack;
const ANALYTICS = () => contractDocument('analytics');
const IN_SERVICE = ['ACTIVE', 'ON_LEAVE'];

beforeAll(async () => {
  // Polling as in production (500 ms), to show a change reaches every copy within seconds.
  stack = await startStack({ servants: 300, seed: 1, directorySyncIntervalMs: 500 });
});
afterAll(async () => {
  await stack?.stop();
});

const personnel = () => stack.dbs.personnel.db!;

interface Segment {
  key: string;
  region: string | null;
  stateBody: { id: string; name: string } | null;
  corps: string | null;
  suppressed: boolean;
  headcount: number | null;
  vacancies: number | null;
  womenShare: number | null;
  averageTenureYears: number | null;
  trainedLast36Months: number | null;
  trainingCoverage: number | null;
  assessmentRequiredCount: number | null;
  bandDistribution: Array<{ band: string; count: number }> | null;
  averageRating: number | null;
  onTimeRate: number | null;
}

async function workforce(variables: Record<string, unknown>, token?: string) {
  return stack.query<{ workforce: Segment[] }>(ANALYTICS(), variables, 'Workforce', token ? { token } : {});
}

interface ListedServant {
  id: string;
  status: string;
  trainingOverdue: boolean | null;
}

/** Every servant the directory list gives for a region (paged), with the training flag. */
async function listRegion(region: string): Promise<ListedServant[]> {
  const out: ListedServant[] = [];
  let after: string | null = null;
  for (;;) {
    const res: Awaited<ReturnType<typeof stack.query>> = await stack.query(
      'query L($f: CivilServantFilter, $after: String) { civilServants(filter: $f, first: 100, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id status trainingOverdue } } } }',
      { f: { region }, after },
    );
    expect(res.errors).toBeUndefined();
    const page = (res.data as { civilServants: { pageInfo: { hasNextPage: boolean; endCursor: string }; edges: Array<{ node: ListedServant }> } }).civilServants;
    out.push(...page.edges.map((e) => e.node));
    if (!page.pageInfo.hasNextPage) return out;
    after = page.pageInfo.endCursor;
  }
}

async function biggestRegion(): Promise<string> {
  const rows = await personnel()
    .collection('civil_servants')
    .aggregate([{ $match: { status: { $in: IN_SERVICE } } }, { $group: { _id: '$currentRegion', n: { $sum: 1 } } }, { $sort: { n: -1 } }, { $limit: 1 }])
    .toArray();
  return rows[0]._id as string;
}

describe('Workforce (contract) through the gateway', () => {
  it('gives every subgraph’s measures for each region, the headcounts adding up to the register', async () => {
    const res = await workforce({ groupBy: ['REGION'] });
    expect(res.errors).toBeUndefined();
    const segments = res.data!.workforce;
    expect(segments.length).toBeGreaterThan(3);
    for (const s of segments) {
      expect(s.region).toEqual(expect.any(String));
      expect(s.corps).toBeNull();
      expect(s.suppressed).toBe(false);
      expect(s.headcount).toBeGreaterThan(0);
      expect(s.trainedLast36Months).toBeLessThanOrEqual(s.headcount!);
      expect(s.bandDistribution?.map((b) => b.band)).toEqual(['OUTSTANDING', 'EFFECTIVE', 'SATISFACTORY', 'UNSATISFACTORY']);
      expect(s.womenShare).toBeGreaterThanOrEqual(0);
    }
    expect(segments.some((s) => s.averageRating !== null && s.onTimeRate !== null)).toBe(true);
    const total = segments.reduce((n, s) => n + s.headcount!, 0);
    expect(total).toBe(await personnel().collection('civil_servants').countDocuments({ status: { $in: IN_SERVICE } }));
  });

  it('counts a segment’s servants and trained servants as the list does (the same question asked two ways)', async () => {
    const region = await biggestRegion();
    const res = await workforce({ groupBy: [], filter: { region } });
    expect(res.errors).toBeUndefined();
    const [segment] = res.data!.workforce;
    const listed = (await listRegion(region)).filter((s) => IN_SERVICE.includes(s.status));
    expect(segment.headcount).toBe(listed.length);
    expect(segment.trainedLast36Months).toBe(listed.filter((s) => s.trainingOverdue === false).length);
  });

  it('answers as of a past day from the effective-dated history', async () => {
    const asOf = '2020-01-01';
    const res = await workforce({ groupBy: [], asOf });
    expect(res.errors).toBeUndefined();
    const day = new Date(`${asOf}T00:00:00Z`);
    const servingThen = await personnel()
      .collection('assignments')
      .distinct('servantId', { startDate: { $lte: day }, $or: [{ endDate: null }, { endDate: { $gte: day } }] });
    expect(res.data!.workforce[0].headcount).toBe(servingThen.length);
  });

  it('hides small segments from analysts (and any segment that would reveal one), not from monitoring', async () => {
    const variables = { groupBy: ['REGION', 'CORPS'] };
    const analyst = await workforce(variables, await stack.token({ role: 'analyst' }));
    const monitoring = await workforce(variables);
    expect(analyst.errors).toBeUndefined();
    const seen = analyst.data!.workforce;
    const all = monitoring.data!.workforce;
    expect(seen.map((s) => s.key)).toEqual(all.map((s) => s.key));
    const hidden = seen.filter((s) => s.suppressed);
    expect(hidden.length).toBeGreaterThan(0);
    for (const s of hidden) {
      expect([s.headcount, s.womenShare, s.trainedLast36Months, s.assessmentRequiredCount, s.bandDistribution, s.averageRating]).toEqual([null, null, null, null, null, null]);
    }
    for (const s of seen.filter((x) => !x.suppressed)) expect(s.headcount).toBeGreaterThanOrEqual(5);
    // Secondary suppression: no region holds exactly one hidden corps beside a visible one.
    const byRegion = new Map<string, Segment[]>();
    for (const s of seen) byRegion.set(s.region!, [...(byRegion.get(s.region!) ?? []), s]);
    for (const line of byRegion.values()) {
      if (line.length > 1) expect(line.filter((s) => s.suppressed).length).not.toBe(1);
    }
    expect(all.every((s) => !s.suppressed && s.headcount! > 0)).toBe(true);
  });

  it('groups by state body with the body’s name', async () => {
    const res = await workforce({ groupBy: ['STATE_BODY'] });
    expect(res.errors).toBeUndefined();
    const segment = res.data!.workforce[0];
    const body = await personnel().collection('state_bodies').findOne({ _id: new Types.ObjectId(segment.stateBody!.id) });
    expect(segment.stateBody!.name).toBe(body?.name);
  });

  it('refuses a future asOf and a malformed filter with BAD_USER_INPUT', async () => {
    const future = await workforce({ groupBy: ['REGION'], asOf: '2999-01-01' });
    expect(future.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const badBody = await workforce({ groupBy: ['REGION'], filter: { stateBodyId: 'not-an-id' } });
    expect(badBody.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const twice = await workforce({ groupBy: ['REGION', 'REGION'] });
    expect(twice.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

interface AlertPage {
  totalCount: number;
  edges: Array<{ node: { rule: string; since: string; detail: string; servant: { id: string; lastName: string | null; currentAssignment: { position: { stateBody: { id: string; region: string } } } | null } } }>;
}
type Alerts = Record<'personnelAlerts' | 'trainingAlerts' | 'evaluationAlerts' | 'serviceQualityAlerts', AlertPage>;

async function alerts(variables: Record<string, unknown>, token?: string) {
  return stack.query<Alerts>(ANALYTICS(), variables, 'ComplianceAlerts', token ? { token } : {});
}

describe('ComplianceAlerts (contract) through the gateway', () => {
  it('lists alerts of all four subgraphs with their servants, and the demo data breaks every rule', async () => {
    const res = await alerts({ first: 5 });
    expect(res.errors).toBeUndefined();
    for (const page of Object.values(res.data!)) {
      expect(page.totalCount).toBeGreaterThan(0);
      for (const { node } of page.edges) {
        expect(node.servant.lastName).toEqual(expect.any(String));
        expect(node.detail.length).toBeGreaterThan(0);
        expect(node.since).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      }
    }
    const counts: Record<string, number> = {};
    for (const rule of ALERT_RULES) {
      const one = await alerts({ filter: { rules: [rule] }, first: 1 });
      expect(one.errors).toBeUndefined();
      counts[rule] = Object.values(one.data!).reduce((n, p) => n + p.totalCount, 0);
    }
    expect(Object.entries(counts).filter(([, n]) => n === 0)).toEqual([]);
  });

  it('counts TRAINING_OVERDUE exactly as the servants listed with trainingOverdue: true', async () => {
    const region = await biggestRegion();
    const res = await alerts({ filter: { region, rules: ['TRAINING_OVERDUE'] }, first: 1 });
    expect(res.errors).toBeUndefined();
    const listed = (await listRegion(region)).filter((s) => IN_SERVICE.includes(s.status));
    expect(res.data!.trainingAlerts.totalCount).toBe(listed.filter((s) => s.trainingOverdue === true).length);
    expect(res.data!.personnelAlerts.totalCount).toBe(0);
  });

  it('narrows hr to its own body and the bodies below, and refuses analysts', async () => {
    const any = await alerts({ filter: { rules: ['TRAINING_OVERDUE'] }, first: 1 });
    const servantId = any.data!.trainingAlerts.edges[0].node.servant.id;
    const servant = await personnel().collection('civil_servants').findOne({ _id: new Types.ObjectId(servantId) });
    const body = String(servant!.currentStateBodyId);
    const hr = await alerts({ first: 100 }, await stack.token({ role: 'hr', stateBody: body, purpose: 'compliance review' }));
    expect(hr.errors).toBeUndefined();
    const bodies = new Set([body, ...(await personnel().collection('state_bodies').find({ parentId: new Types.ObjectId(body) }).toArray()).map((b) => String(b._id))]);
    const nodes = Object.values(hr.data!).flatMap((p) => p.edges.map((e) => e.node));
    expect(nodes.length).toBeGreaterThan(0);
    for (const node of nodes) expect(bodies.has(node.servant.currentAssignment!.position.stateBody.id)).toBe(true);

    const analyst = await alerts({ first: 1 }, await stack.token({ role: 'analyst' }));
    expect(analyst.errors?.map((e) => e.extensions?.code)).toContain('FORBIDDEN');
  });

  it('refuses a cursor it did not make with BAD_USER_INPUT', async () => {
    const res = await stack.query('query { trainingAlerts(after: "nonsense") { totalCount } }');
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('RotationFlows (contract) through the gateway', () => {
  it('counts rotations by scheme and region pair as the register holds them', async () => {
    const res = await stack.query<{ rotationFlows: Array<{ scheme: string; fromRegion: string; toRegion: string; count: number }> }>(
      ANALYTICS(),
      { from: '2000-01-01', to: new Date().toISOString().slice(0, 10) },
      'RotationFlows',
    );
    expect(res.errors).toBeUndefined();
    const flows = res.data!.rotationFlows;
    expect(flows.length).toBeGreaterThan(0);
    expect(flows.reduce((n, f) => n + f.count, 0)).toBe(await personnel().collection('rotations').countDocuments({ startDate: { $gte: new Date('2000-01-01T00:00:00Z') } }));
    for (const f of flows) {
      if (f.scheme === 'INTERREGIONAL') expect(f.fromRegion).not.toBe(f.toRegion);
    }
  });

  it('refuses a period that ends before it starts', async () => {
    const res = await stack.query(ANALYTICS(), { from: '2024-01-01', to: '2023-01-01' }, 'RotationFlows');
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });
});

describe('the servant directory copies', () => {
  it('count a servant hired through the gateway in every subgraph within seconds, and report their lag', async () => {
    const position = await personnel().collection('positions').findOne({ holderId: null });
    const body = String(position!.stateBodyId);
    const hr = await stack.token({ role: 'hr', stateBody: body, purpose: 'appointment' });
    const before = await workforce({ groupBy: [], filter: { stateBodyId: body } });
    const headcount = before.data!.workforce[0]?.headcount ?? 0;
    const hired = await stack.query<{ hireCivilServant: { id: string } }>(
      contractDocument('writes'),
      { input: { iin: makeIIN(new Date(Date.UTC(1990, 4, 17)), 'FEMALE', 4321), lastName: 'Directory', firstName: 'Test', positionId: String(position!._id), startDate: new Date().toISOString().slice(0, 10), orderNumber: 'DIR-1' } },
      'HireCivilServant',
      { token: hr },
    );
    expect(hired.errors).toBeUndefined();
    const started = Date.now();
    let seen: Segment | undefined;
    while (Date.now() - started < 5000) {
      seen = (await workforce({ groupBy: [], filter: { stateBodyId: body } })).data!.workforce[0];
      if (seen?.headcount === headcount + 1 && seen.trainedLast36Months !== null && seen.bandDistribution !== null) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(seen?.headcount).toBe(headcount + 1);
    // Every subgraph groups the new servant: their measures are computed over the same servants.
    expect(seen?.trainedLast36Months).toBeLessThanOrEqual(headcount + 1);

    const ready = (await (await fetch(stack.subgraphUrls.training.replace(/\/graphql$/, '/ready'))).json()) as { directory: { behind: number; cursor: number; lastLagMs: number | null } };
    expect(ready.directory.cursor).toBeGreaterThan(0);
    expect(ready.directory.behind).toBe(0);
    expect(ready.directory.lastLagMs).toEqual(expect.any(Number));
  });

  it('make the other subgraphs refuse writes about servants that do not exist (NOT_FOUND)', async () => {
    const program = await stack.dbs.training.db!.collection('trainingprograms').findOne({});
    const res = await stack.query(
      contractDocument('writes'),
      { servantId: new Types.ObjectId().toHexString(), programId: String(program!._id), startDate: new Date().toISOString().slice(0, 10) },
      'EnrollInTraining',
      { token: await stack.token({ role: 'academy' }) },
    );
    expect(res.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });
});
