import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { isListType, isNonNullType, isObjectType, Kind, parse, type GraphQLObjectType, type GraphQLOutputType, type GraphQLSchema, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { fieldMarksOf, loadSubgraphSdl, makeIIN, POLICY, type Category, type Rule, type TokenClaims } from '@civil-service/shared';
import { apiSchemaOf } from '../scripts/compose';
import { contractDocument, REPO_ROOT, startStack, SUBGRAPHS, type GraphQLResponse, type Stack } from './helpers/stack';

/**
 * Every operation of profile.graphql, directory.graphql and writes.graphql, as written, through the
 * gateway, as every kind of caller. What each caller should get is derived, not listed: each field's
 * categories come from the subgraphs' SDL marks, and whether a caller may read or write them from
 * POLICY. A read is compared with monitoring's full answer (monitoring with a purpose may read all)
 * with the refused fields nulled as GraphQL does; a write is done, or refused with nothing written.
 */
let stack: Stack;

// ---- the model: SDL marks + POLICY → what a caller gets -------------------------------------------

const api = apiSchemaOf(readFileSync(path.join(REPO_ROOT, 'schema', 'supergraph.graphql'), 'utf8'));
const subgraphSchemas: GraphQLSchema[] = SUBGRAPHS.map((name) => buildSubgraphSchema({ typeDefs: parse(loadSubgraphSdl(name)) }));

/** What the subgraphs mark on a servant's own fields; a root entry to servants is open to a role that may see any. */
const SERVANT_DATA: readonly Category[] = [
  ...new Set(
    subgraphSchemas.flatMap((schema) => {
      const type = schema.getType('CivilServant');
      return isObjectType(type) ? Object.values(type.getFields()).flatMap((f) => fieldMarksOf(type, f)?.categories ?? []) : [];
    }),
  ),
];

interface Marks {
  categories: readonly Category[];
  /** A root field leading to servants: each servant's fields are then checked one by one. */
  entry: boolean;
}

/** The marks of the subgraph that resolves the field (personnel first: it owns CivilServant.id). */
function marksOf(type: GraphQLObjectType, field: string): Marks | null {
  const root = type.name === 'Query' || type.name === 'Mutation';
  for (const schema of subgraphSchemas) {
    const own = schema.getType(type.name);
    const def = isObjectType(own) ? own.getFields()[field] : undefined;
    if (!isObjectType(own) || !def) continue;
    const categories = fieldMarksOf(own, def)?.categories;
    if (!categories) return root ? { categories: ['reference'], entry: false } : null;
    return { categories, entry: type.name === 'Query' && categories.every((c) => SERVANT_DATA.includes(c)) };
  }
  throw new Error(`no subgraph resolves ${type.name}.${field}`);
}


/** The servant or body a decision is about: for hr's scope, the body and its ancestors. */
interface Target {
  servantId?: string;
  bodyChain?: readonly string[] | null;
}

function permits(rule: Rule, who: TokenClaims, target: Target): boolean {
  if (rule.access === 'none' || (rule.purpose && !who.purpose)) return false;
  if (rule.access === 'all') return true;
  if (rule.access === 'self') return target.servantId !== undefined && target.servantId === who.servant;
  return !!who.stateBody && !!target.bodyChain?.includes(who.stateBody);
}

function mayUse(who: TokenClaims, marks: Marks | null, target: Target): boolean {
  if (!marks) return true; // unmarked: its parent was checked
  if (marks.entry) return SERVANT_DATA.some((c) => POLICY[c][who.role].access !== 'none');
  return marks.categories.every((c) => permits(POLICY[c][who.role], who, target));
}

interface Expected {
  data: unknown;
  /** Refused fields whose parent survives: each must be reported. */
  mustFail: string[];
  /** Refused fields inside an object nulled by a refused non-null field: may be reported or not. */
  mayFail: string[];
}
const NULLED = Symbol('nulled by a refused non-null field');
interface Failures {
  must: string[];
  may: string[];
}

/** Walks monitoring's answer along the operation, nulling what `who` may not read, as GraphQL would. */
function expectedAnswer(op: OperationDefinitionNode, reference: Record<string, unknown>, who: TokenClaims): Expected {
  const object = (type: GraphQLObjectType, set: SelectionSetNode, ref: Record<string, unknown>, at: string[], outer: Target, out: Failures): unknown => {
    const own: Failures = { must: [], may: [] };
    const result: Record<string, unknown> = {};
    let nulled = false;
    const target = type.name === 'CivilServant' ? targetOf(String(ref.id)) : outer;
    for (const sel of set.selections) {
      if (sel.kind !== Kind.FIELD) throw new Error('the contract operations use no fragments');
      const key = sel.alias?.value ?? sel.name.value;
      const def = type.getFields()[sel.name.value];
      let value: unknown = NULLED;
      if (mayUse(who, marksOf(type, sel.name.value), target)) value = walk(def.type, sel.selectionSet, ref[key], [...at, key], target, own);
      else own.must.push([...at, key].join('.'));
      if (value === NULLED && isNonNullType(def.type)) nulled = true;
      result[key] = value === NULLED ? null : value;
    }
    // Siblings of a refused non-null field may resolve (and fail) before GraphQL nulls their parent, or not.
    out.must.push(...(nulled ? [] : own.must));
    out.may.push(...(nulled ? own.must : []), ...own.may);
    return nulled ? NULLED : result;
  };
  const walk = (type: GraphQLOutputType, set: SelectionSetNode | undefined, ref: unknown, at: string[], outer: Target, out: Failures): unknown => {
    const inner = isNonNullType(type) ? type.ofType : type;
    if (ref === null || ref === undefined) return null;
    if (isListType(inner)) {
      const items = (ref as unknown[]).map((item, i) => walk(inner.ofType as GraphQLOutputType, set, item, [...at, String(i)], outer, out));
      if (items.includes(NULLED) && isNonNullType(inner.ofType)) return NULLED;
      return items.map((item) => (item === NULLED ? null : item));
    }
    return isObjectType(inner) ? object(inner, set!, ref as Record<string, unknown>, at, outer, out) : ref;
  };
  const failures: Failures = { must: [], may: [] };
  const root = op.operation === 'query' ? api.getQueryType()! : api.getMutationType()!;
  const data = object(root, op.selectionSet, reference, [], {}, failures);
  return { data: data === NULLED ? null : data, mustFail: failures.must.sort(), mayFail: failures.may.sort() };
}

// ---- the callers ------------------------------------------------------------------------------

let fx: {
  servant: { id: string; iin: string; body: string; region: string };
  other: { id: string };
  otherBody: string;
  vacantPosition: string;
  program: string;
  enrolledRecord: { id: string; hours: number };
  quarter: { year: number; quarter: number };
  serviceCode: string;
};
/** Each in-service servant's body followed by its ancestors, read from the register. */
const chains = new Map<string, string[]>();
const bodyChains = new Map<string, string[]>();
const targetOf = (servantId: string): Target => ({ servantId, bodyChain: chains.get(servantId) ?? null });

const CASES: Array<[string, () => TokenClaims]> = [
  ['analyst', () => ({ role: 'analyst' })],
  ['academy', () => ({ role: 'academy' })],
  ['hr of the servant’s body', () => ({ role: 'hr', stateBody: fx.servant.body, purpose: 'personnel file review' })],
  ['hr of another body', () => ({ role: 'hr', stateBody: fx.otherBody, purpose: 'personnel file review' })],
  ['monitoring', () => ({ role: 'monitoring', purpose: 'compliance check' })],
  ['monitoring without purpose', () => ({ role: 'monitoring' })],
  ['the servant', () => ({ role: 'servant', servant: fx.servant.id })],
  ['another servant', () => ({ role: 'servant', servant: fx.other.id })],
  ['feedback', () => ({ role: 'feedback' })],
];
const MONITORING = (): TokenClaims => CASES[4][1]();

// ---- the data -------------------------------------------------------------------------------

const THIS_YEAR = new Date().getUTCFullYear();
function day(offsetDays: number): string {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + offsetDays)).toISOString().slice(0, 10);
}

beforeAll(async () => {
  stack = await startStack({ servants: 120, seed: 5 });
  const personnel = stack.dbs.personnel.db!;
  const bodies = await personnel.collection('state_bodies').find({}, { projection: { parentId: 1, region: 1 } }).toArray();
  const parentOf = new Map(bodies.map((b) => [String(b._id), b.parentId ? String(b.parentId) : null]));
  for (const id of parentOf.keys()) {
    const chain: string[] = [];
    for (let at: string | null | undefined = id; at; at = parentOf.get(at)) chain.push(at);
    bodyChains.set(id, chain);
  }
  const servants = await personnel.collection('civil_servants').find({ status: { $in: ['ACTIVE', 'ON_LEAVE'] } }).toArray();
  for (const s of servants) chains.set(String(s._id), bodyChains.get(String(s.currentStateBodyId))!);
  // A corps B servant (quarterly evaluations) in a body with a vacancy (a hire) and colleagues (a list).
  const vacant = await personnel.collection('positions').find({ holderId: null }).toArray();
  const headcount = (body: unknown) => servants.filter((s) => String(s.currentStateBodyId) === String(body)).length;
  const s = servants.find((c) => c.status === 'ACTIVE' && c.corps === 'B' && headcount(c.currentStateBodyId) >= 2 && vacant.some((v) => String(v.stateBodyId) === String(c.currentStateBodyId)));
  if (!s) throw new Error('the demo data has no corps B servant in a body with a vacancy and colleagues');
  const body = String(s.currentStateBodyId);
  const training = stack.dbs.training.db!;
  const taken = (await training.collection('learningrecords').find({ servantId: String(s._id) }).toArray()).map((r) => r.programId);
  const enrolled = await training.collection('learningrecords').findOne({ status: 'ENROLLED', startDate: { $lt: new Date(day(-10)) } });
  const enrolledProgram = await training.collection('trainingprograms').findOne({ _id: enrolled!.programId });
  const evaluated = await stack.dbs.evaluation.db!.collection('quarterlyevaluations').find({ servantId: String(s._id) }).toArray();
  const started = (year: number, quarter: number) => Date.UTC(year, (quarter - 1) * 3, 1) <= Date.now();
  fx = {
    servant: { id: String(s._id), iin: String(s.iin), body, region: String(bodies.find((b) => String(b._id) === body)!.region) },
    other: { id: String(servants.find((c) => String(c._id) !== String(s._id))!._id) },
    otherBody: [...bodyChains].find(([id, chain]) => chain.length === 1 && !bodyChains.get(body)!.includes(id))![0],
    vacantPosition: String(vacant.find((v) => String(v.stateBodyId) === body)!._id),
    program: String((await training.collection('trainingprograms').findOne({ _id: { $nin: taken } }))!._id),
    enrolledRecord: { id: String(enrolled!._id), hours: Math.min(8, Number(enrolledProgram!.academicHours)) },
    quarter: Array.from({ length: 10 }, (_, i) => THIS_YEAR - i)
      .flatMap((year) => [4, 3, 2, 1].map((quarter) => ({ year, quarter })))
      .find((q) => started(q.year, q.quarter) && !evaluated.some((e) => e.year === q.year && e.quarter === q.quarter))!,
    serviceCode: String((await stack.dbs['services-quality'].db!.collection('publicservices').findOne({}))!._id),
  };
}, 120_000);
afterAll(() => stack?.stop());

// ---- reads ------------------------------------------------------------------------------------

function operation(file: 'profile' | 'directory' | 'writes', name: string): OperationDefinitionNode {
  const op = parse(contractDocument(file)).definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION && d.name?.value === name);
  if (!op) throw new Error(`${file}.graphql has no operation ${name}`);
  return op;
}

const READS: Array<[file: 'profile' | 'directory', name: string, variables: () => Record<string, unknown>]> = [
  ['profile', 'CivilServantProfile', () => ({ iin: fx.servant.iin, year: THIS_YEAR - 1 })],
  ['profile', 'CivilServantById', () => ({ id: fx.servant.id })],
  ['directory', 'CivilServants', () => ({ filter: { stateBodyId: fx.servant.body }, first: 5 })],
  ['directory', 'StateBodies', () => ({ region: fx.servant.region })],
  ['directory', 'StateBodyQuality', () => ({ id: fx.servant.body, year: THIS_YEAR - 1 })],
  ['directory', 'Positions', () => ({ stateBodyId: fx.servant.body })],
  ['directory', 'TrainingPrograms', () => ({})],
  ['directory', 'PublicServices', () => ({})],
  ['directory', 'Competencies', () => ({})],
];

const references = new Map<string, Record<string, unknown>>();
const tokens = new Map<string, Promise<string>>();
async function run<T = Record<string, unknown>>(file: 'profile' | 'directory' | 'writes', name: string, variables: Record<string, unknown>, claims: TokenClaims): Promise<GraphQLResponse<T>> {
  const key = JSON.stringify(claims);
  if (!tokens.has(key)) tokens.set(key, stack.token(claims));
  return stack.query<T>(contractDocument(file), variables, name, { token: await tokens.get(key)! });
}

/** hr's list is narrowed to its scope (the resolver's filter), so its page is not monitoring's. */
function narrowedForHr(name: string, reference: Record<string, unknown>, who: TokenClaims): Record<string, unknown> {
  if (who.role !== 'hr' || name !== 'CivilServants') return reference;
  const list = reference.civilServants as { edges: Array<{ node: { id: string } }> };
  const inScope = list.edges.filter((e) => permits({ access: 'scope' }, who, targetOf(e.node.id)));
  if (inScope.length === list.edges.length) return reference;
  if (inScope.length > 0) throw new Error('pick a list filter whose page is wholly in or out of hr’s scope');
  return { civilServants: { totalCount: 0, pageInfo: { hasNextPage: false, endCursor: null }, edges: [] } };
}

/** Per caller, how many rows the model refused something in and let something through in. */
const outcomes = new Map<string, { refused: number; allowed: number }>();
function tally(caseName: string, refused: boolean, allowed: boolean) {
  const o = outcomes.get(caseName) ?? { refused: 0, allowed: 0 };
  outcomes.set(caseName, { refused: o.refused + Number(refused), allowed: o.allowed + Number(allowed) });
}
const hasValue = (v: unknown): boolean => (Array.isArray(v) ? v.some(hasValue) : v !== null && typeof v === 'object' ? Object.values(v).some(hasValue) : v !== null && v !== undefined);

const pathsOf = (res: GraphQLResponse<unknown>) => (res.errors ?? []).map((e) => (e.path ?? []).join('.')).sort();

describe('reads: every contract query as every caller', () => {
  const rows = READS.flatMap(([file, name, variables]) => CASES.map(([who, claims]) => [name, who, file, variables, claims] as const));
  it.each(rows)('%s as %s', async (name, caseName, file, variables, claims) => {
    if (!references.has(name)) {
      // Monitoring with a purpose may read everything these operations ask: its answer is whole.
      const full = await run(file, name, variables(), MONITORING());
      expect(full.errors).toBeUndefined();
      expect(hasValue(full.data)).toBe(true);
      references.set(name, full.data!);
    }
    const who = claims();
    const expected = expectedAnswer(operation(file, name), narrowedForHr(name, references.get(name)!, who), who);
    tally(caseName, expected.mustFail.length + expected.mayFail.length > 0, hasValue(expected.data));
    const res = await run(file, name, variables(), who);
    expect((res.errors ?? []).filter((e) => e.extensions?.code !== 'FORBIDDEN')).toEqual([]);
    // The rest of the answer arrives: exactly monitoring's, with the refused fields null.
    expect(res.data ?? null).toEqual(expected.data);
    const reported = pathsOf(res);
    expect(reported.filter((p) => !expected.mustFail.includes(p) && !expected.mayFail.includes(p))).toEqual([]);
    expect(expected.mustFail.filter((p) => !reported.includes(p))).toEqual([]);
    if (expected.mayFail.length > 0) expect(reported.length).toBeGreaterThan(0);
  });
});

// ---- writes -----------------------------------------------------------------------------------

type Counts = Record<'servants' | 'assignments' | 'sanctions' | 'records' | 'completed' | 'evaluations' | 'feedback', number>;
async function counts(): Promise<Counts> {
  const [p, t, e, q] = [stack.dbs.personnel.db!, stack.dbs.training.db!, stack.dbs.evaluation.db!, stack.dbs['services-quality'].db!];
  const [servants, assignments, sanctions, records, completed, evaluations, feedback] = await Promise.all([
    p.collection('civil_servants').estimatedDocumentCount(),
    p.collection('assignments').estimatedDocumentCount(),
    p.collection('sanctions').estimatedDocumentCount(),
    t.collection('learningrecords').estimatedDocumentCount(),
    t.collection('learningrecords').countDocuments({ status: 'COMPLETED' }),
    e.collection('quarterlyevaluations').estimatedDocumentCount(),
    q.collection('feedback').estimatedDocumentCount(),
  ]);
  return { servants, assignments, sanctions, records, completed, evaluations, feedback };
}

interface Write {
  name: string;
  variables: (row: number) => Record<string, unknown>;
  /** Whose data the write touches, for hr's scope. */
  target: () => Target;
  /** What a done write adds. */
  effect: Partial<Counts>;
}
const WRITES: Write[] = [
  {
    name: 'HireCivilServant',
    variables: (row) => ({
      input: { iin: makeIIN(new Date(Date.UTC(1993, 2, 9)), 'FEMALE', 100 + row), lastName: 'Жумабаева', firstName: 'Дана', positionId: fx.vacantPosition, startDate: day(-7), orderNumber: `№ ${row}-ЛС` },
    }),
    target: () => ({ bodyChain: bodyChains.get(fx.servant.body) }),
    effect: { servants: 1, assignments: 1 },
  },
  {
    name: 'ImposeSanction',
    variables: (row) => ({ input: { servantId: fx.servant.id, type: 'REMARK', imposedOn: day(-3), orderNumber: `№ ${row}-Д`, grounds: 'Late reports' } }),
    target: () => targetOf(fx.servant.id),
    effect: { sanctions: 1 },
  },
  {
    name: 'EnrollInTraining',
    variables: () => ({ servantId: fx.servant.id, programId: fx.program, startDate: day(-2) }),
    target: () => targetOf(fx.servant.id),
    effect: { records: 1 },
  },
  {
    name: 'CompleteTraining',
    variables: () => ({ recordId: fx.enrolledRecord.id, endDate: day(-1), hours: fx.enrolledRecord.hours, certificateNo: 'APA-MATRIX-1' }),
    target: () => ({}),
    effect: { completed: 1 },
  },
  {
    name: 'RecordEvaluation',
    variables: () => ({ input: { servantId: fx.servant.id, ...fx.quarter, score: 77 } }),
    target: () => targetOf(fx.servant.id),
    effect: { evaluations: 1 },
  },
  {
    name: 'SubmitServiceFeedback',
    variables: () => ({ input: { serviceCode: fx.serviceCode, stateBodyId: fx.servant.body, servantId: fx.servant.id, rating: 4, onTime: true } }),
    target: () => ({}),
    effect: { feedback: 1 },
  },
];

describe('writes: every contract mutation as every caller', () => {
  const rows = WRITES.flatMap((write) => CASES.map(([who, claims], i) => [write.name, who, write, claims, i] as const));
  it.each(rows)('%s as %s', async (_name, caseName, write, claims, row) => {
    const op = operation('writes', write.name);
    const field = (op.selectionSet.selections[0] as { name: { value: string } }).name.value;
    const who = claims();
    const done = mayUse(who, marksOf(api.getMutationType()!, field), write.target());
    tally(caseName, !done, done);
    const before = await counts();
    const res = await run('writes', write.name, write.variables(row), who);
    const after = await counts();
    if (done) {
      expect(res.errors).toBeUndefined();
      expect(res.data?.[field]).toBeTruthy();
      const expected = { ...before };
      for (const [k, n] of Object.entries(write.effect) as Array<[keyof Counts, number]>) expected[k] += n;
      expect(after).toEqual(expected);
    } else {
      expect(res.errors?.map((e) => [e.path?.join('.'), e.extensions?.code])).toEqual([[field, 'FORBIDDEN']]);
      expect(res.data ?? null).toBeNull();
      expect(after).toEqual(before);
    }
  });
});

describe('the derivation', () => {
  it('is not vacuous: every caller was refused something and allowed something above', () => {
    // A model that allowed everything, or nothing, would agree with a broken enforcement too.
    expect(outcomes.size).toBe(CASES.length);
    for (const [caseName, o] of outcomes) expect({ caseName, refused: o.refused > 0, allowed: o.allowed > 0 }).toEqual({ caseName, refused: true, allowed: true });
  });
});
