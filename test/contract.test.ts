import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, validate, type GraphQLSchema } from 'graphql';
import { Types } from 'mongoose';
import { parseIIN } from '@civil-service/shared';
import { apiSchemaOf } from '../scripts/compose';
import { CONTRACT_DIR, REPO_ROOT, contractDocument, startStack, type Stack } from './helpers/stack';

/**
 * The consumer contract (../shared/contract/) is binding: every operation validates against the
 * committed supergraph exactly as written, and returns correct data through the gateway.
 * Answers are checked against the seeded databases, read directly.
 */
// analytics.graphql's operations run through the gateway in test/analytics.test.ts.
const CONTRACT_FILES = ['profile', 'directory', 'writes', 'analytics'] as const;

function apiSchema(): GraphQLSchema {
  const sdl = readFileSync(path.join(REPO_ROOT, 'schema', 'supergraph.graphql'), 'utf8');
  return apiSchemaOf(sdl);
}

describe('the contract validates against the supergraph', () => {
  it('finds the contract beside the repository', () => {
    expect(readFileSync(path.join(CONTRACT_DIR, 'README.md'), 'utf8')).toContain('binding');
  });

  it.each(CONTRACT_FILES)('%s.graphql validates as written', (file) => {
    const errors = validate(apiSchema(), parse(contractDocument(file)));
    expect(errors.map((e) => e.message)).toEqual([]);
  });
});

type Row = Record<string, unknown>;
interface Edge {
  cursor: string;
  node: Row & { id: string; currentAssignment: { position: { stateBody: { id: string; region: string } } } | null };
}

describe('the contract through the gateway', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ servants: 300, seed: 42 });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const personnel = () => stack.dbs.personnel.db!;
  const training = () => stack.dbs.training.db!;
  const evaluation = () => stack.dbs.evaluation.db!;
  const servicesQuality = () => stack.dbs['services-quality'].db!;

  async function activeServantWithHistory() {
    const servants = await personnel().collection('civil_servants').find({ status: 'ACTIVE' }).limit(200).toArray();
    for (const s of servants) {
      const [assignments, records] = await Promise.all([
        personnel().collection('assignments').countDocuments({ servantId: s._id }),
        training().collection('learningrecords').countDocuments({ servantId: String(s._id) }),
      ]);
      if (assignments > 1 && records > 0) return s;
    }
    throw new Error('the demo data has no active servant with a history');
  }

  it('CivilServantProfile returns the whole record, agreeing with every database', async () => {
    const servant = await activeServantWithHistory();
    const id = String(servant._id);
    const res = await stack.query<{ civilServant: Row & Record<string, never> }>(
      contractDocument('profile'),
      { iin: servant.iin },
      'CivilServantProfile',
    );
    expect(res.errors).toBeUndefined();
    const p = res.data!.civilServant as unknown as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- a deep JSON answer, checked field by field below
    expect(p.id).toBe(id);
    expect(p.iin).toBe(servant.iin);
    expect(p.lastName).toBe(servant.lastName);
    const fromIin = parseIIN(servant.iin)!;
    expect(p.birthDate).toBe(fromIin.birthDate!.toISOString().slice(0, 10));
    expect(p.gender).toBe(fromIin.gender);

    const assignments = await personnel().collection('assignments').find({ servantId: servant._id }).toArray();
    expect(p.assignments).toHaveLength(assignments.length);
    const open = assignments.filter((a) => a.endDate == null);
    expect(open).toHaveLength(1);
    expect(p.currentAssignment.startDate).toBe(open[0].startDate.toISOString().slice(0, 10));
    expect(p.currentAssignment.position.id).toBe(String(open[0].positionId));
    const starts = p.assignments.map((a: { startDate: string }) => a.startDate);
    expect([...starts].sort().reverse()).toEqual(starts);
    expect(p.civilServiceTenure.years * 365 + p.civilServiceTenure.months * 28).toBeGreaterThan(0);

    const records = await training().collection('learningrecords').find({ servantId: id }).toArray();
    expect(p.learningRecords).toHaveLength(records.length);
    for (const r of p.learningRecords) expect(r.program.title).toEqual(expect.any(String));
    const completed = records.filter((r) => r.status === 'COMPLETED').map((r) => r.endDate.toISOString().slice(0, 10)).sort();
    expect(p.lastCompletedTraining).toBe(completed.at(-1) ?? null);

    const quarters = await evaluation().collection('quarterlyevaluations').find({ servantId: id }).toArray();
    expect(p.evaluations.filter((e: { period: string }) => e.period === 'QUARTER')).toHaveLength(quarters.length);

    const violations = await servicesQuality().collection('violations').countDocuments({ servantId: id });
    expect(p.serviceQuality.violations).toHaveLength(violations);
    expect(p.learningRecords.map((r: { id: string }) => r.id).sort()).toEqual(records.map((r) => String(r._id)).sort());
    const historyCollections: Record<string, string> = {
      education: 'education',
      reserveMemberships: 'reserve_memberships',
      rotations: 'rotations',
      incentives: 'incentives',
      sanctions: 'sanctions',
      corruptionRecords: 'corruption_records',
    };
    for (const [field, collection] of Object.entries(historyCollections)) {
      expect({ field, length: p[field].length }).toEqual({ field, length: await personnel().collection(collection).countDocuments({ servantId: servant._id }) });
    }
    expect(Array.isArray(p.competencies)).toBe(true);
  });

  it('CivilServantProfile refuses an invalid IIN before any resolver runs', async () => {
    const res = await stack.query(contractDocument('profile'), { iin: '821214240092' }, 'CivilServantProfile');
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.data ?? null).toBeNull();
  });

  it('refuses an invalid IIN written into the query with the same BAD_USER_INPUT', async () => {
    const res = await stack.query('{ civilServant(iin: "821214240092") { id } }');
    expect(res.errors?.map((e) => e.extensions?.code)).toEqual(['BAD_USER_INPUT']);
    expect(res.errors?.[0].message).toMatch(/IIN/);
    expect(res.data ?? null).toBeNull();
  });

  it('CivilServantById returns the summary, and null for an unknown id', async () => {
    const servant = await activeServantWithHistory();
    const res = await stack.query<{ civilServant: Row }>(contractDocument('profile'), { id: String(servant._id) }, 'CivilServantById');
    expect(res.errors).toBeUndefined();
    expect(res.data!.civilServant).toMatchObject({ id: String(servant._id), lastName: servant.lastName, firstName: servant.firstName, corps: servant.corps });
    expect(typeof res.data!.civilServant.trainingOverdue).toBe('boolean');
    const none = await stack.query<{ civilServant: Row | null }>(contractDocument('profile'), { id: '0123456789abcdef01234567' }, 'CivilServantById');
    expect(none.errors).toBeUndefined();
    expect(none.data!.civilServant).toBeNull();
  });

  it('CivilServants pages through a filter with cursors, matching the register', async () => {
    const filter = { region: 'KARAGANDA', status: 'ACTIVE' };
    const expected = await personnel().collection('civil_servants').countDocuments({ status: 'ACTIVE', currentRegion: 'KARAGANDA' });
    expect(expected).toBeGreaterThan(3);
    const seen: string[] = [];
    let after: string | null = null;
    do {
      const res: Awaited<ReturnType<Stack['query']>> = await stack.query(contractDocument('directory'), { filter, first: 3, after }, 'CivilServants');
      expect(res.errors).toBeUndefined();
      const page = (res.data as { civilServants: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: Edge[] } }).civilServants;
      expect(page.totalCount).toBe(expected);
      for (const { node } of page.edges) {
        expect(node.status).toBe('ACTIVE');
        expect(node.currentAssignment?.position.stateBody.region).toBe('KARAGANDA');
        seen.push(node.id);
      }
      after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
    } while (after);
    expect(seen).toHaveLength(expected);
    expect(new Set(seen).size).toBe(expected);
  });

  it('CivilServants refuses a negative page size', async () => {
    const res = await stack.query(contractDocument('directory'), { first: -1 }, 'CivilServants');
    expect(res.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('StateBodies lists bodies of a region and level with their headcount', async () => {
    const res = await stack.query<{ stateBodies: Array<Row & { id: string; headcount: number; level: string; region: string; parent: { id: string } | null }> }>(
      contractDocument('directory'),
      { region: 'ALMATY' },
      'StateBodies',
    );
    expect(res.errors).toBeUndefined();
    const bodies = res.data!.stateBodies;
    expect(bodies.length).toBeGreaterThan(0);
    const stored = await personnel().collection('state_bodies').find({ region: 'ALMATY' }).toArray();
    expect(bodies.map((b) => b.id).sort()).toEqual(stored.map((b) => String(b._id)).sort());
    for (const b of bodies) {
      const row = stored.find((x) => String(x._id) === b.id)!;
      expect(b).toMatchObject({ name: row.name, level: row.level, region: 'ALMATY' });
      expect(b.parent?.id ?? null).toBe(row.parentId ? String(row.parentId) : null);
    }
    const level = bodies[0].level;
    const byLevel = await stack.query<{ stateBodies: Array<{ level: string }> }>(contractDocument('directory'), { region: 'ALMATY', level }, 'StateBodies');
    expect(byLevel.data!.stateBodies).toHaveLength(stored.filter((b) => b.level === level).length);
    const total = bodies.reduce((n, b) => n + b.headcount, 0);
    const inRegion = await personnel().collection('civil_servants').countDocuments({ status: { $in: ['ACTIVE', 'ON_LEAVE'] }, currentRegion: 'ALMATY' });
    expect(total).toBe(inRegion);
  });

  it('StateBodyQuality joins personnel and services-quality for one body', async () => {
    const stat = await servicesQuality().collection('servicerequeststats').findOne({});
    const year = stat!.year as number;
    const rows = await servicesQuality().collection('servicerequeststats').find({ stateBodyId: stat!.stateBodyId, year }).toArray();
    const requests = rows.reduce((n, r) => n + r.requests, 0);
    const res = await stack.query<{ stateBody: Row & { serviceQuality: Row } }>(
      contractDocument('directory'),
      { id: stat!.stateBodyId, year },
      'StateBodyQuality',
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.stateBody.id).toBe(stat!.stateBodyId);
    expect(res.data!.stateBody.name).toEqual(expect.any(String));
    expect(res.data!.stateBody.serviceQuality.requests).toBe(requests);
  });

  it('Positions lists a body’s vacant positions', async () => {
    const vacant = await personnel().collection('positions').findOne({ holderId: null });
    const res = await stack.query<{ positions: Array<Row & { vacant: boolean; stateBody: { id: string } }> }>(
      contractDocument('directory'),
      { stateBodyId: String(vacant!.stateBodyId), vacant: true },
      'Positions',
    );
    expect(res.errors).toBeUndefined();
    const expected = await personnel().collection('positions').countDocuments({ stateBodyId: vacant!.stateBodyId, holderId: null });
    expect(res.data!.positions).toHaveLength(expected);
    const stored = await personnel().collection('positions').find({ stateBodyId: vacant!.stateBodyId, holderId: null }).toArray();
    expect(res.data!.positions.map((p) => [p.id, p.title, p.categoryCode]).sort()).toEqual(stored.map((p) => [String(p._id), p.title, p.categoryCode]).sort());
    for (const p of res.data!.positions) {
      expect(p.vacant).toBe(true);
      expect(p.stateBody.id).toBe(String(vacant!.stateBodyId));
    }
  });

  it('TrainingPrograms, PublicServices and Competencies return the catalogues', async () => {
    const programs = await stack.query<{ trainingPrograms: Array<Row & { type: string }> }>(contractDocument('directory'), { type: 'RETRAINING' }, 'TrainingPrograms');
    expect(programs.errors).toBeUndefined();
    expect(programs.data!.trainingPrograms.length).toBe(await training().collection('trainingprograms').countDocuments({ type: 'RETRAINING' }));
    for (const p of programs.data!.trainingPrograms) {
      const row = await training().collection('trainingprograms').findOne({ _id: new Types.ObjectId(p.id as string) });
      expect(p).toMatchObject({ type: 'RETRAINING', title: row!.title, form: row!.form, provider: row!.provider, academicHours: row!.academicHours, topics: row!.topics });
    }

    const services = await stack.query<{ publicServices: Array<Row & { provider: { name: string } | null }> }>(contractDocument('directory'), {}, 'PublicServices');
    expect(services.errors).toBeUndefined();
    expect(services.data!.publicServices.length).toBe(await servicesQuality().collection('publicservices').countDocuments());
    expect(services.data!.publicServices.some((s) => typeof s.provider?.name === 'string')).toBe(true);
    for (const service of services.data!.publicServices as Array<Row & { code: string; provider: { id: string } | null }>) {
      const row = await servicesQuality().collection('publicservices').findOne({ _id: service.code as never });
      expect(service).toMatchObject({ name: row!.name, standardDeadlineDays: row!.standardDeadlineDays, isElectronic: row!.isElectronic });
      if (service.provider) expect(service.provider.id).toBe(String(row!.providerStateBodyId));
    }

    const competencies = await stack.query<{ competencies: Row[] }>(contractDocument('directory'), {}, 'Competencies');
    expect(competencies.errors).toBeUndefined();
    const storedCompetencies = await evaluation().collection('competencies').find({}).toArray();
    expect(competencies.data!.competencies.map((c) => c.code).sort()).toEqual(storedCompetencies.map((c) => c.code).sort());
  });
});
