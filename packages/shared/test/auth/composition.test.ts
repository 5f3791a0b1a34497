import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { AUTH_DIRECTIVES_SDL } from '../../src';
import { TOY_SDL } from './helpers';

const TRAINING_SDL = /* GraphQL */ `
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key"])
  ${AUTH_DIRECTIVES_SDL}
  type CivilServant @key(fields: "id") @servantRecord(area: "training") {
    id: ID!
    trainingOverdue: Boolean
  }
  type Query {
    programmes: [String!]!
  }
  type Mutation {
    enrol(servantId: ID!): Boolean @writeAccess(area: "training")
  }
`;

describe('the auth directives in federation', () => {
  it('compose, and stay out of the supergraph (each subgraph enforces them itself)', () => {
    const result = composeServices([
      { name: 'toy', url: 'http://localhost:1/graphql', typeDefs: parse(TOY_SDL) },
      { name: 'training', url: 'http://localhost:2/graphql', typeDefs: parse(TRAINING_SDL) },
    ]);
    expect(result.errors).toBeUndefined();
    const supergraph = result.supergraphSdl ?? '';
    expect(supergraph).toContain('trainingOverdue');
    for (const name of ['@personal', '@specialCategory', '@servantRecord', '@writeAccess']) expect(supergraph).not.toContain(name);
  });
});
