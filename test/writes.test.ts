import { Types } from 'mongoose';
import { makeIIN } from '@civil-service/shared';
import { contractDocument, startStack, type Stack } from './helpers/stack';

/**
 * The contract's mutations through the gateway: each writes what the profile then shows, and bad
 * input gets its documented code and writes nothing.
 */
let stack: Stack;
const WRITES = () => contractDocument('writes');

/** A day relative to today (UTC) as YYYY-MM-DD: the subgraphs judge dates against the real today. */
function day(offsetDays: number): string {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + offsetDays)).toISOString().slice(0, 10);
}
const THIS_YEAR = new Date().getUTCFullYear();

beforeAll(async () => {
  stack = await startStack({ servants: 150, seed: 7 });
});
afterAll(async () => {
  await stack?.stop();
});

const personnel = () => stack.dbs.personnel.db!;
const training = () => stack.dbs.training.db!;
const evaluation = () => stack.dbs.evaluation.db!;
const servicesQuality = () => stack.dbs['services-quality'].db!;

async function counts() {
  const [servants, assignments, sanctions, records, evaluations, feedback] = await Promise.all([
    personnel().collection('civil_servants').estimatedDocumentCount(),
    personnel().collection('assignments').estimatedDocumentCount(),
    personnel().collection('sanctions').estimatedDocumentCount(),
    training().collection('learningrecords').estimatedDocumentCount(),
    evaluation().collection('quarterlyevaluations').estimatedDocumentCount(),
    servicesQuality().collection('feedback').estimatedDocumentCount(),
  ]);
  return { servants, assignments, sanctions, records, evaluations, feedback };
}

/**
 * Each write as the consumer that makes it: hr of the body concerned for hires, dismissals and
 * evaluations, the Academy for training, a feedback client for feedback, monitoring for sanctions.
 */
async function tokenFor(operation: string, variables: Record<string, unknown>): Promise<string> {
  const input = (variables.input ?? variables) as { servantId?: unknown; positionId?: unknown };
  const hrOf = async (stateBody: unknown) => stack.token({ role: 'hr', stateBody: String(stateBody ?? 'none'), purpose: 'personnel order' });
  // A malformed id matches nothing: the write is then refused for what is wrong with it.
  const objectId = (id: unknown) => (typeof id === 'string' && /^[0-9a-f]{24}$/.test(id) ? new Types.ObjectId(id) : new Types.ObjectId());
  switch (operation) {
    case 'HireCivilServant':
      return hrOf((await personnel().collection('positions').findOne({ _id: objectId(input.positionId) }))?.stateBodyId);
    case 'DismissCivilServant':
    case 'RecordEvaluation':
      return hrOf((await personnel().collection('civil_servants').findOne({ _id: objectId(input.servantId) }))?.currentStateBodyId);
    case 'EnrollInTraining':
    case 'CompleteTraining':
      return stack.token({ role: 'academy' });
    case 'SubmitServiceFeedback':
      return stack.token({ role: 'feedback' });
    default:
      return stack.token({ role: 'monitoring', purpose: 'sanction order' });
  }
}

async function write<T = Record<string, unknown>>(operation: string, variables: Record<string, unknown>) {
  return stack.query<T>(WRITES(), variables, operation, { token: await tokenFor(operation, variables) });
}

async function expectRefused(operation: string, variables: Record<string, unknown>, code: string, mentions?: string) {
  const before = await counts();
  const res = await write(operation, variables);
  expect(res.errors?.[0]?.extensions?.code).toBe(code);
  if (mentions) expect(res.errors?.[0]?.message).toContain(mentions);
  expect(await counts()).toEqual(before);
}

async function vacantPositionId(): Promise<string> {
  const position = await personnel().collection('positions').findOne({ holderId: null });
  return String(position!._id);
}

describe('HireCivilServant', () => {
  const iin = makeIIN(new Date(Date.UTC(1994, 4, 17)), 'FEMALE', 4321);
  const input = (positionId: string, over: Record<string, unknown> = {}) => ({
    input: { iin, lastName: 'Сейткали', firstName: 'Айгерим', patronymic: 'Нурлановна', positionId, startDate: day(-30), orderNumber: '№ 214-ЛС', ...over },
  });

  it('registers a person on a vacant position; the profile shows them', async () => {
    const positionId = await vacantPositionId();
    const res = await write<{ hireCivilServant: Record<string, any> }>('HireCivilServant', input(positionId)); // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON answer
    expect(res.errors).toBeUndefined();
    expect(res.data!.hireCivilServant).toMatchObject({
      iin,
      lastName: 'Сейткали',
      birthDate: '1994-05-17',
      gender: 'FEMALE',
      status: 'ACTIVE',
      currentAssignment: { startDate: day(-30), position: { id: positionId } },
    });
    const after = await stack.query<{ civilServant: { currentAssignment: { position: { vacant: boolean } } } }>(
      'query($iin: IIN!) { civilServant(iin: $iin) { currentAssignment { position { vacant } } } }',
      { iin },
    );
    expect(after.data!.civilServant.currentAssignment.position.vacant).toBe(false);
  });

  it('refuses an IIN that is already registered (CONFLICT)', async () => {
    await expectRefused('HireCivilServant', input(await vacantPositionId()), 'CONFLICT');
  });

  it('refuses a position that is not vacant (CONFLICT)', async () => {
    const held = await personnel().collection('positions').findOne({ holderId: { $ne: null } });
    await expectRefused('HireCivilServant', input(String(held!._id), { iin: makeIIN(new Date(Date.UTC(1990, 0, 2)), 'MALE', 77) }), 'CONFLICT');
  });

  it('refuses a position that does not exist (NOT_FOUND)', async () => {
    await expectRefused('HireCivilServant', input('0123456789abcdef01234567', { iin: makeIIN(new Date(Date.UTC(1990, 0, 3)), 'MALE', 78) }), 'NOT_FOUND');
  });

  it('refuses an invalid IIN (BAD_USER_INPUT)', async () => {
    await expectRefused('HireCivilServant', input(await vacantPositionId(), { iin: '821214240092' }), 'BAD_USER_INPUT');
  });

  it('refuses an empty name, naming the field (BAD_USER_INPUT)', async () => {
    await expectRefused('HireCivilServant', input(await vacantPositionId(), { iin: makeIIN(new Date(Date.UTC(1990, 0, 4)), 'MALE', 79), lastName: '   ' }), 'BAD_USER_INPUT', 'lastName');
  });
});

describe('ImposeSanction', () => {
  it('records a sanction that the profile shows', async () => {
    const servant = await personnel().collection('civil_servants').findOne({ status: 'ACTIVE' });
    const res = await write('ImposeSanction', {
      input: { servantId: String(servant!._id), type: 'REPRIMAND', imposedOn: day(-20), orderNumber: '№ 15-Д', grounds: 'Late submission of reports' },
    });
    expect(res.errors).toBeUndefined();
    expect(res.data).toEqual({ imposeSanction: { type: 'REPRIMAND', imposedOn: day(-20), orderNumber: '№ 15-Д', grounds: 'Late submission of reports' } });
    const profile = await stack.query<{ civilServant: { sanctions: Array<{ orderNumber: string }> } }>(
      'query($id: ID!) { civilServant(id: $id) { sanctions { orderNumber } } }',
      { id: String(servant!._id) },
    );
    expect(profile.data!.civilServant.sanctions.map((s) => s.orderNumber)).toContain('№ 15-Д');
  });

  it('refuses an unknown servant (NOT_FOUND), an unknown type and a future date (BAD_USER_INPUT)', async () => {
    const servant = await personnel().collection('civil_servants').findOne({ status: 'ACTIVE' });
    const valid = { servantId: String(servant!._id), type: 'REMARK', imposedOn: day(-20), orderNumber: '№ 16-Д', grounds: 'Absence' };
    await expectRefused('ImposeSanction', { input: { ...valid, servantId: '0123456789abcdef01234567' } }, 'NOT_FOUND');
    await expectRefused('ImposeSanction', { input: { ...valid, type: 'EXILE' } }, 'BAD_USER_INPUT');
    await expectRefused('ImposeSanction', { input: { ...valid, imposedOn: '2999-01-01' } }, 'BAD_USER_INPUT', 'imposedOn');
    await expectRefused('ImposeSanction', { input: { ...valid, imposedOn: `${THIS_YEAR}-02-30` } }, 'BAD_USER_INPUT');
  });
});

describe('EnrollInTraining and CompleteTraining', () => {
  /** An active servant with no completion in the last 60 days, so the new one is their latest. */
  async function servantWithoutRecentTraining(): Promise<string> {
    const servants = await personnel().collection('civil_servants').find({ status: 'ACTIVE' }).limit(100).toArray();
    for (const s of servants) {
      const recent = await training().collection('learningrecords').countDocuments({ servantId: String(s._id), endDate: { $gte: new Date(day(-60)) } });
      if (recent === 0) return String(s._id);
    }
    throw new Error('the demo data has no servant without a recent training');
  }

  it('enrols, completes, and the profile shows the completion', async () => {
    const servantId = await servantWithoutRecentTraining();
    const program = await training().collection('trainingprograms').findOne({ type: 'ADVANCED_TRAINING' });
    const enrolled = await write<{ enrollInTraining: { id: string; status: string } }>('EnrollInTraining', { servantId, programId: String(program!._id), startDate: day(-20) });
    expect(enrolled.errors).toBeUndefined();
    expect(enrolled.data!.enrollInTraining).toMatchObject({ status: 'ENROLLED', startDate: day(-20), program: { id: String(program!._id), title: program!.title } });
    const recordId = enrolled.data!.enrollInTraining.id;
    const stored = await training().collection('learningrecords').findOne({ servantId, programId: program!._id, status: 'ENROLLED' });
    expect(String(stored!._id)).toBe(recordId);

    await expectRefused('CompleteTraining', { recordId, endDate: day(-25), hours: 8 }, 'BAD_USER_INPUT', 'endDate');
    await expectRefused('CompleteTraining', { recordId, endDate: day(-5), hours: -3 }, 'BAD_USER_INPUT', 'hours');
    await expectRefused('CompleteTraining', { recordId: '0123456789abcdef01234567', endDate: day(-5), hours: 8 }, 'NOT_FOUND');
    // Refusals change no field of the record either.
    expect(await training().collection('learningrecords').findOne({ _id: stored!._id })).toEqual(stored);

    const completed = await write('CompleteTraining', { recordId, endDate: day(-5), hours: Math.min(16, program!.academicHours), certificateNo: 'APA-TEST-0001' });
    expect(completed.errors).toBeUndefined();
    expect(completed.data).toMatchObject({ completeTraining: { id: recordId, status: 'COMPLETED', endDate: day(-5), certificateNo: 'APA-TEST-0001' } });
    await expectRefused('CompleteTraining', { recordId, endDate: day(-4), hours: 8 }, 'CONFLICT');

    const profile = await stack.query<{ civilServant: { lastCompletedTraining: string; trainingOverdue: boolean } }>(
      'query($id: ID!) { civilServant(id: $id) { lastCompletedTraining trainingOverdue } }',
      { id: servantId },
    );
    expect(profile.data!.civilServant).toEqual({ lastCompletedTraining: day(-5), trainingOverdue: false });
  });

  it('refuses an unknown programme (NOT_FOUND) and a malformed servant id (BAD_USER_INPUT)', async () => {
    const servant = await personnel().collection('civil_servants').findOne({ status: 'ACTIVE' });
    const program = await training().collection('trainingprograms').findOne({});
    await expectRefused('EnrollInTraining', { servantId: String(servant!._id), programId: '0123456789abcdef01234567', startDate: day(-3) }, 'NOT_FOUND');
    await expectRefused('EnrollInTraining', { servantId: 'not-an-id', programId: String(program!._id), startDate: day(-3) }, 'BAD_USER_INPUT', 'servantId');
    await expectRefused('EnrollInTraining', { servantId: String(servant!._id), programId: String(program!._id), startDate: `${THIS_YEAR}-13-01` }, 'BAD_USER_INPUT');
  });
});

describe('RecordEvaluation', () => {
  it('records a quarter once; the second time is a CONFLICT; bad scores and quarters are refused', async () => {
    const servant = await personnel().collection('civil_servants').findOne({ status: 'ACTIVE', corps: 'B' });
    const servantId = String(servant!._id);
    const taken = await evaluation().collection('quarterlyevaluations').find({ servantId }).toArray();
    // The latest quarter that has started and that the demo data left free for this servant.
    const started = (year: number, quarter: number) => Date.UTC(year, (quarter - 1) * 3, 1) <= Date.now();
    const free = Array.from({ length: 10 }, (_, i) => THIS_YEAR - i)
      .flatMap((year) => [4, 3, 2, 1].map((quarter) => ({ year, quarter })))
      .find((q) => started(q.year, q.quarter) && !taken.some((t) => t.year === q.year && t.quarter === q.quarter))!;
    expect(free).toBeDefined();
    const ok = await write('RecordEvaluation', { input: { servantId, ...free, score: 83.5 } });
    expect(ok.errors).toBeUndefined();
    expect(ok.data).toEqual({ recordEvaluation: { period: 'QUARTER', ...free, score: 83.5, band: 'EFFECTIVE' } });
    expect(await evaluation().collection('quarterlyevaluations').findOne({ servantId, ...free })).toMatchObject({ score: 83.5 });
    await expectRefused('RecordEvaluation', { input: { servantId, ...free, score: 70 } }, 'CONFLICT');
    await expectRefused('RecordEvaluation', { input: { servantId, year: THIS_YEAR, quarter: 5, score: 70 } }, 'BAD_USER_INPUT', 'quarter');
    await expectRefused('RecordEvaluation', { input: { servantId, year: THIS_YEAR - 2, quarter: 4, score: 101 } }, 'BAD_USER_INPUT', 'score');
    await expectRefused('RecordEvaluation', { input: { servantId, year: THIS_YEAR + 1, quarter: 1, score: 70 } }, 'BAD_USER_INPUT', 'year');
  });
});

describe('SubmitServiceFeedback', () => {
  it('records feedback and refuses out-of-range ratings and long comments', async () => {
    const service = await servicesQuality().collection('publicservices').findOne({});
    const body = await personnel().collection('state_bodies').findOne({});
    const valid = { serviceCode: service!._id, stateBodyId: String(body!._id), rating: 5, onTime: true, comment: 'Рақмет!' };
    const ok = await write('SubmitServiceFeedback', { input: valid });
    expect(ok.errors).toBeUndefined();
    expect(ok.data).toMatchObject({ submitServiceFeedback: { rating: 5, onTime: true } });
    await expectRefused('SubmitServiceFeedback', { input: { ...valid, rating: 0 } }, 'BAD_USER_INPUT', 'rating');
    await expectRefused('SubmitServiceFeedback', { input: { ...valid, comment: 'x'.repeat(2001) } }, 'BAD_USER_INPUT', 'comment');
    await expectRefused('SubmitServiceFeedback', { input: { ...valid, serviceCode: 'NOPE' } }, 'NOT_FOUND');
  });
});
