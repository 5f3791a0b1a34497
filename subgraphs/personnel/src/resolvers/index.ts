import { complianceAlertResolvers, personnelAlerts } from '../analytics/alerts';
import { analyticsQueryResolvers, analyticsTypeResolvers } from '../analytics/resolvers';
import { mutationResolvers } from './mutations';
import { queryResolvers } from './queries';
import { typeResolvers } from './types';

export type { Context } from './context';

export const resolvers = {
  Query: { ...queryResolvers, ...analyticsQueryResolvers, personnelAlerts },
  Mutation: mutationResolvers,
  ...typeResolvers,
  ...analyticsTypeResolvers,
  ...complianceAlertResolvers,
};
