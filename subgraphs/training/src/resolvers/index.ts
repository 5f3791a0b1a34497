import { badUserInput } from '@civil-service/shared';
import type { ProgramRow, RecordRow } from '../loaders';
import { PROGRAM_FIELDS } from '../loaders';
import { TRAINING_TYPES, type TrainingType } from '../rules/training';
import { civilServantResolvers } from './servant';
import { mutationResolvers } from './mutations';
import { analyticsQueryResolvers, workforceSegmentResolvers } from './analytics';
import { isObjectIdHex, type Context } from './context';

export type { Context } from './context';

export const resolvers = {
  Query: {
    trainingPrograms(_parent: unknown, { type }: { type?: TrainingType | null }, ctx: Context): Promise<ProgramRow[]> {
      if (type != null && !TRAINING_TYPES.includes(type)) throw badUserInput(`type must be one of ${TRAINING_TYPES.join(', ')}`, 'type');
      return ctx.models.TrainingProgram.find(type ? { type } : {}, PROGRAM_FIELDS)
        .sort({ title: 1, _id: 1 })
        .lean<ProgramRow[]>()
        .exec();
    },
    async trainingProgram(_parent: unknown, { id }: { id: string }, ctx: Context): Promise<ProgramRow | null> {
      if (!isObjectIdHex(id)) throw badUserInput('id must be a 24-character hexadecimal programme id', 'id');
      return ctx.loaders.programById.load(id.toLowerCase());
    },
    ...analyticsQueryResolvers,
  },

  Mutation: mutationResolvers,

  CivilServant: civilServantResolvers,

  WorkforceSegment: workforceSegmentResolvers,

  TrainingProgram: {
    __resolveReference(ref: { id?: unknown }, ctx: Context): Promise<ProgramRow | null> | null {
      return isObjectIdHex(ref.id) ? ctx.loaders.programById.load(ref.id.toLowerCase()) : null;
    },
    id: (program: ProgramRow) => String(program._id),
    topics: (program: ProgramRow) => program.topics ?? [],
  },

  LearningRecord: {
    id: (record: RecordRow) => String(record._id),
    async program(record: RecordRow, _args: unknown, ctx: Context): Promise<ProgramRow> {
      const program = await ctx.loaders.programById.load(String(record.programId));
      // The catalogue never deletes a programme that has records; reaching this is data corruption.
      if (!program) throw new Error(`learning record ${String(record._id)} refers to a missing programme`);
      return program;
    },
  },
};
