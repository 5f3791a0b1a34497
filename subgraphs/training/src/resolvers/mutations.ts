import { Types } from 'mongoose';
import { allocateCounter, badUserInput, conflict, mongoErrorToGraphQL, notFound } from '@civil-service/shared';
import { LEARNING_RECORDS_COUNTER } from '../models';
import type { RecordRow } from '../loaders';
import { PROGRAM_FIELDS, RECORD_FIELDS, type ProgramRow } from '../loaders';
import { toDate, utcDay } from '../rules/dates';
import { checkCompletion, checkCompletionArguments, checkEnrolmentStart, normaliseCertificateNo } from '../rules/training';
import { isObjectIdHex, rulesOn, type Context } from './context';

interface EnrollArgs {
  servantId: string;
  programId: string;
  startDate: Date | string;
}

interface CompleteArgs {
  recordId: string;
  endDate: Date | string;
  hours: number;
  certificateNo?: string | null;
}

function isDuplicateKey(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 11000;
}

function requireId(value: string, field: string, what: string): string {
  if (!isObjectIdHex(value)) throw badUserInput(`${field} must be a 24-character hexadecimal ${what} id`, field);
  return value.toLowerCase();
}

export const mutationResolvers = {
  async enrollInTraining(_parent: unknown, args: EnrollArgs, ctx: Context): Promise<RecordRow> {
    const servantId = requireId(args.servantId, 'servantId', 'servant');
    const programId = requireId(args.programId, 'programId', 'programme');
    const startDate = utcDay(toDate(args.startDate));
    const today = ctx.now();
    const problem = checkEnrolmentStart(startDate, today, rulesOn(ctx, startDate));
    if (problem) throw badUserInput(problem.message, problem.field);

    const { TrainingProgram, LearningRecord } = ctx.models;
    const program = await TrainingProgram.findById(programId, PROGRAM_FIELDS).lean<ProgramRow>().exec();
    if (!program) throw notFound(`training programme ${programId} does not exist`);
    // The directory copy is this subgraph's knowledge of who is a servant; it catches up with
    // personnel once before refusing, so a servant hired a moment ago is not turned away.
    if (!(await ctx.knownServants([servantId])).has(servantId)) throw notFound(`civil servant ${servantId} does not exist`);

    // The check gives a clear message; the partial unique index is what holds under concurrent requests.
    const open = await LearningRecord.exists({ servantId, programId: program._id, status: 'ENROLLED' }).exec();
    if (open) throw conflict(`servant ${servantId} already has an open enrolment in programme ${programId}`);

    const doc: RecordRow = {
      _id: new Types.ObjectId(),
      servantId,
      programId: program._id,
      status: 'ENROLLED',
      startDate,
      endDate: null,
      hours: null,
      certificateNo: null,
    };
    try {
      await LearningRecord.create(doc);
    } catch (err) {
      if (isDuplicateKey(err)) {
        throw conflict(`servant ${servantId} already has an open enrolment in programme ${programId}`);
      }
      throw mongoErrorToGraphQL(err);
    }
    ctx.loaders.recordsByServant.clear(servantId);
    ctx.loaders.programById.prime(programId, program);
    return doc;
  },

  async completeTraining(_parent: unknown, args: CompleteArgs, ctx: Context): Promise<RecordRow> {
    const recordId = requireId(args.recordId, 'recordId', 'learning record');
    const endDate = utcDay(toDate(args.endDate));
    const today = ctx.now();
    const rules = rulesOn(ctx, endDate);
    const early = checkCompletionArguments({ endDate, hours: args.hours, certificateNo: args.certificateNo }, today, rules);
    if (early) throw badUserInput(early.message, early.field);

    const { TrainingProgram, LearningRecord } = ctx.models;
    const record = await LearningRecord.findById(recordId, RECORD_FIELDS).lean<RecordRow>().exec();
    if (!record) throw notFound(`learning record ${recordId} does not exist`);
    if (record.status !== 'ENROLLED') {
      throw conflict(`learning record ${recordId} is already ${record.status} and cannot be completed`);
    }
    const program = await TrainingProgram.findById(record.programId, PROGRAM_FIELDS).lean<ProgramRow>().exec();
    if (!program) throw new Error(`learning record ${recordId} refers to a missing programme`);

    const certificateNo = normaliseCertificateNo(args.certificateNo);
    const problem = checkCompletion({ startDate: record.startDate, endDate, hours: args.hours, certificateNo }, program, today, rules);
    if (problem) throw badUserInput(problem.message, problem.field);

    const change = { status: 'COMPLETED' as const, endDate, hours: args.hours, certificateNo };
    // Conditional on the status read above, so two completions racing cannot both succeed. The
    // change number is taken in the same transaction, so the alert facts see completions in order.
    await LearningRecord.db.transaction(async (session) => {
      const rev = await allocateCounter(LearningRecord.db, LEARNING_RECORDS_COUNTER, 1, session);
      const result = await LearningRecord.updateOne({ _id: record._id, status: 'ENROLLED' }, { $set: { ...change, rev } }, { runValidators: true, session }).exec();
      // Thrown inside: the transaction is aborted, the number not used.
      if (result.matchedCount === 0) throw conflict(`learning record ${recordId} was completed or withdrawn meanwhile`);
    });
    ctx.loaders.recordsByServant.clear(record.servantId);
    ctx.loaders.programById.prime(String(program._id), program);
    return { ...record, ...change };
  },
};
