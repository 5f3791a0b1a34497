import type { ApolloServer, BaseContext } from '@apollo/server';
import type { GraphQLSchema } from 'graphql';
import { authPlugin, type AuthPluginOptions } from './plugin';
import { applyAuthPolicy, type AuthPolicyOptions, type MarkedField } from './transform';

export interface EnableAuthOptions extends AuthPolicyOptions, Omit<AuthPluginOptions, 'subgraph'> {
  /** Defaults to the app's name. */
  subgraph?: string;
}

/** What createSubgraphApp returns, as far as auth needs it. */
export interface AuthTarget<TContext extends BaseContext> {
  name: string;
  schema: GraphQLSchema;
  server: ApolloServer<TContext>;
}

/**
 * Turns on authentication, the field policy and the audit for a subgraph app, before it listens.
 * The schema's resolvers are wrapped in place (the server executes that same schema object) and
 * the plugin is added to the not yet started server.
 */
export function enableAuth<TContext extends BaseContext>(app: AuthTarget<TContext>, options: EnableAuthOptions): MarkedField[] {
  const marked = applyAuthPolicy(app.schema, options);
  for (const f of marked.filter((m) => m.nonNull && m.categories.some((c) => c !== 'reference' && !c.startsWith('write:')))) {
    options.logger?.warn(`${f.path} is non-null: when it is refused, its parent object is nulled too`);
  }
  app.server.addPlugin(authPlugin<TContext>({ ...options, subgraph: options.subgraph ?? app.name }));
  return marked;
}
