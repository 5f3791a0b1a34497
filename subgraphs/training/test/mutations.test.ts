import { d, program, record, servantId, startHarness, type Harness } from './helpers';
import { enlist } from './directory';
import type { TrainingProgramDoc } from '../src/models';

/** enrollInTraining and completeTraining: what they write, and every refusal writing nothing. */
let h: Harness;
/** A servant the directory copy knows (writes about unknown servants are refused). */
const knownServant = async () => (await enlist(h.app.models.Directory, servantId()))[0];
let course: TrainingProgramDoc;
let retraining: TrainingProgramDoc;

const ENROLL = `mutation($servantId: ID!, $programId: ID!, $startDate: Date!) {
  enrollInTraining(servantId: $servantId, programId: $programId, startDate: $startDate) {
    id status startDate endDate hours certificateNo program { id title }
  }
}`;
const COMPLETE = `mutation($recordId: ID!, $endDate: Date!, $hours: Int!, $certificateNo: String) {
  completeTraining(recordId: $recordId, endDate: $endDate, hours: $hours, certificateNo: $certificateNo) {
    id status startDate endDate hours certificateNo program { id }
  }
}`;
const PROFILE = `query($id: ID!) { _entities(representations: [{ __typename: "CivilServant", id: $id }]) {
  ... on CivilServant { lastCompletedTraining trainingOverdue learningRecords { id status } }
} }`;

beforeAll(async () => {
  h = await startHarness();
  course = program({ title: 'Digital government', academicHours: 36 });
  retraining = program({ title: 'Retraining for newly appointed managers', type: 'RETRAINING', form: 'FULL_TIME', academicHours: 144 });
  await h.app.models.TrainingProgram.insertMany([course, retraining]);
});
afterAll(async () => {
  await h?.stop();
});

/** Every record as stored, to prove a refusal changed nothing. */
async function snapshot() {
  return h.app.models.LearningRecord.find({}).sort({ _id: 1 }).lean().exec();
}

async function expectRefused(mutation: string, variables: Record<string, unknown>, code: string, field?: string) {
  const before = await snapshot();
  const res = await h.query(mutation, variables);
  expect(res.errors?.[0]?.extensions?.code).toBe(code);
  if (field) {
    expect(res.errors?.[0]?.message).toContain(field);
    expect(res.errors?.[0]?.extensions?.field).toBe(field);
  }
  expect(res.data?.enrollInTraining ?? res.data?.completeTraining ?? null).toBeNull();
  expect(await snapshot()).toEqual(before);
}

describe('enrollInTraining', () => {
  const servant = servantId();
  beforeAll(async () => {
    await enlist(h.app.models.Directory, servant);
  });

  it('enrols a servant; the record is ENROLLED and shows on the servant', async () => {
    const res = await h.query<{ enrollInTraining: Record<string, unknown> }>(ENROLL, { servantId: servant, programId: String(course._id), startDate: '2026-10-05' });
    expect(res.errors).toBeUndefined();
    expect(res.data!.enrollInTraining).toMatchObject({
      status: 'ENROLLED', startDate: '2026-10-05', endDate: null, hours: null, certificateNo: null,
      program: { id: String(course._id), title: 'Digital government' },
    });
    const stored = await h.app.models.LearningRecord.findById(res.data!.enrollInTraining.id).lean().exec();
    expect(stored).toMatchObject({ servantId: servant, status: 'ENROLLED', startDate: d('2026-10-05') });
    const profile = await h.query<{ _entities: Array<{ trainingOverdue: boolean; learningRecords: Array<{ status: string }> }> }>(PROFILE, { id: servant });
    expect(profile.data!._entities[0]).toMatchObject({ trainingOverdue: true, learningRecords: [{ status: 'ENROLLED' }] });
  });

  it('stores an upper-case servant id in the canonical lower case', async () => {
    const other = await knownServant();
    const res = await h.query<{ enrollInTraining: { id: string } }>(ENROLL, { servantId: other.toUpperCase(), programId: String(retraining._id), startDate: '2026-11-02' });
    expect(res.errors).toBeUndefined();
    const stored = await h.app.models.LearningRecord.findById(res.data!.enrollInTraining.id).lean().exec();
    expect(stored!.servantId).toBe(other);
  });

  it('refuses a second open enrolment in the same programme (CONFLICT), but allows another programme', async () => {
    await expectRefused(ENROLL, { servantId: servant, programId: String(course._id), startDate: '2026-11-20' }, 'CONFLICT');
    const other = await h.query(ENROLL, { servantId: servant, programId: String(retraining._id), startDate: '2026-11-20' });
    expect(other.errors).toBeUndefined();
  });

  it('lets only one of two simultaneous identical enrolments through', async () => {
    const racer = await knownServant();
    const vars = { servantId: racer, programId: String(course._id), startDate: '2026-11-23' };
    const results = await Promise.all([h.query(ENROLL, vars), h.query(ENROLL, vars), h.query(ENROLL, vars)]);
    const codes = results.map((r) => (r.errors ? r.errors[0].extensions?.code : 'OK')).sort();
    expect(codes).toEqual(['CONFLICT', 'CONFLICT', 'OK']);
    expect(await h.app.models.LearningRecord.countDocuments({ servantId: racer })).toBe(1);
  });

  it('refuses a servant the directory does not know (NOT_FOUND), writing nothing', async () => {
    const stranger = servantId();
    await expectRefused(ENROLL, { servantId: stranger, programId: String(course._id), startDate: '2026-10-05' }, 'NOT_FOUND');
    expect(await h.app.models.LearningRecord.countDocuments({ servantId: stranger })).toBe(0);
    // Once personnel's feed has brought the servant, the same enrolment goes through.
    await enlist(h.app.models.Directory, stranger);
    const res = await h.query(ENROLL, { servantId: stranger, programId: String(course._id), startDate: '2026-10-05' });
    expect(res.errors).toBeUndefined();
  });

  it('still refuses bad input and an unknown programme before asking who the servant is', async () => {
    await expectRefused(ENROLL, { servantId: servantId(), programId: String(course._id), startDate: '2019-01-10' }, 'BAD_USER_INPUT', 'startDate');
    await expectRefused(ENROLL, { servantId: servantId(), programId: '0123456789abcdef01234567', startDate: '2026-10-05' }, 'NOT_FOUND');
  });

  it('refuses a malformed servant id (BAD_USER_INPUT naming servantId)', async () => {
    await expectRefused(ENROLL, { servantId: 'not-an-id', programId: String(course._id), startDate: '2026-10-05' }, 'BAD_USER_INPUT', 'servantId');
  });

  it('refuses a malformed programme id (BAD_USER_INPUT naming programId)', async () => {
    await expectRefused(ENROLL, { servantId: servantId(), programId: '12345', startDate: '2026-10-05' }, 'BAD_USER_INPUT', 'programId');
  });

  it('refuses an unknown programme (NOT_FOUND)', async () => {
    await expectRefused(ENROLL, { servantId: servantId(), programId: '0123456789abcdef01234567', startDate: '2026-10-05' }, 'NOT_FOUND');
  });

  it('refuses a start date far in the past or the future (BAD_USER_INPUT naming startDate)', async () => {
    await expectRefused(ENROLL, { servantId: servantId(), programId: String(course._id), startDate: '2019-01-10' }, 'BAD_USER_INPUT', 'startDate');
    await expectRefused(ENROLL, { servantId: servantId(), programId: String(course._id), startDate: '2031-01-10' }, 'BAD_USER_INPUT', 'startDate');
  });

  it('refuses an impossible date before any resolver runs (BAD_USER_INPUT)', async () => {
    await expectRefused(ENROLL, { servantId: servantId(), programId: String(course._id), startDate: '2026-02-30' }, 'BAD_USER_INPUT');
  });
});

describe('completeTraining', () => {
  const servant = servantId();
  let recordId: string;

  beforeAll(async () => {
    await enlist(h.app.models.Directory, servant);
    const res = await h.query<{ enrollInTraining: { id: string } }>(ENROLL, { servantId: servant, programId: String(course._id), startDate: '2026-10-05' });
    recordId = res.data!.enrollInTraining.id;
  });

  it('refuses a malformed record id (BAD_USER_INPUT naming recordId)', async () => {
    await expectRefused(COMPLETE, { recordId: 'zz', endDate: '2026-10-20', hours: 36 }, 'BAD_USER_INPUT', 'recordId');
  });

  it('refuses an unknown record (NOT_FOUND)', async () => {
    await expectRefused(COMPLETE, { recordId: '0123456789abcdef01234567', endDate: '2026-10-20', hours: 36 }, 'NOT_FOUND');
  });

  it('refuses an end date before the start or in the future (BAD_USER_INPUT naming endDate)', async () => {
    await expectRefused(COMPLETE, { recordId, endDate: '2026-10-04', hours: 36 }, 'BAD_USER_INPUT', 'endDate');
    await expectRefused(COMPLETE, { recordId, endDate: '2026-11-25', hours: 36 }, 'BAD_USER_INPUT', 'endDate');
  });

  it('refuses hours outside the type bounds or above the programme length (BAD_USER_INPUT naming hours)', async () => {
    await expectRefused(COMPLETE, { recordId, endDate: '2026-10-20', hours: -3 }, 'BAD_USER_INPUT', 'hours');
    await expectRefused(COMPLETE, { recordId, endDate: '2026-10-20', hours: 4 }, 'BAD_USER_INPUT', 'hours');
    await expectRefused(COMPLETE, { recordId, endDate: '2026-10-20', hours: 37 }, 'BAD_USER_INPUT', 'hours');
    await expectRefused(COMPLETE, { recordId, endDate: '2026-10-20', hours: 12.5 }, 'BAD_USER_INPUT');
  });

  it('refuses an over-long certificate number (BAD_USER_INPUT naming certificateNo)', async () => {
    await expectRefused(COMPLETE, { recordId, endDate: '2026-10-20', hours: 36, certificateNo: 'A'.repeat(65) }, 'BAD_USER_INPUT', 'certificateNo');
  });

  it('completes the record with a trimmed certificate number; the servant is no longer overdue', async () => {
    const res = await h.query<{ completeTraining: Record<string, unknown> }>(COMPLETE, { recordId, endDate: '2026-10-20', hours: 36, certificateNo: '  APA-2026-000777 ' });
    expect(res.errors).toBeUndefined();
    expect(res.data!.completeTraining).toEqual({
      id: recordId, status: 'COMPLETED', startDate: '2026-10-05', endDate: '2026-10-20', hours: 36, certificateNo: 'APA-2026-000777',
      program: { id: String(course._id) },
    });
    const profile = await h.query<{ _entities: Array<{ lastCompletedTraining: string; trainingOverdue: boolean }> }>(PROFILE, { id: servant });
    expect(profile.data!._entities[0]).toMatchObject({ lastCompletedTraining: '2026-10-20', trainingOverdue: false });
  });

  it('refuses to complete it twice (CONFLICT)', async () => {
    await expectRefused(COMPLETE, { recordId, endDate: '2026-10-21', hours: 36 }, 'CONFLICT');
  });

  it('refuses to complete a withdrawn record (CONFLICT)', async () => {
    const withdrawn = record(servantId(), course._id, { status: 'WITHDRAWN', startDate: d('2026-09-01'), endDate: null, hours: null, certificateNo: null });
    await h.app.models.LearningRecord.create(withdrawn);
    await expectRefused(COMPLETE, { recordId: String(withdrawn._id), endDate: '2026-09-10', hours: 36 }, 'CONFLICT');
  });

  it('stores a blank certificate number as none, and requires 120+ hours for retraining', async () => {
    const res = await h.query<{ enrollInTraining: { id: string } }>(ENROLL, { servantId: await knownServant(), programId: String(retraining._id), startDate: '2026-09-01' });
    const id = res.data!.enrollInTraining.id;
    await expectRefused(COMPLETE, { recordId: id, endDate: '2026-10-10', hours: 80 }, 'BAD_USER_INPUT', 'hours');
    const done = await h.query<{ completeTraining: { certificateNo: string | null; hours: number } }>(COMPLETE, { recordId: id, endDate: '2026-10-10', hours: 144, certificateNo: '   ' });
    expect(done.errors).toBeUndefined();
    expect(done.data!.completeTraining).toMatchObject({ certificateNo: null, hours: 144 });
  });

  it('after completion the servant may enrol in the same programme again', async () => {
    const again = await h.query(ENROLL, { servantId: servant, programId: String(course._id), startDate: '2026-11-23' });
    expect(again.errors).toBeUndefined();
  });
});
