import { mutationResolvers } from './mutations';
import { queryResolvers } from './queries';
import { typeResolvers } from './types';

export type { Context } from './context';

export const resolvers = {
  Query: queryResolvers,
  Mutation: mutationResolvers,
  ...typeResolvers,
};
