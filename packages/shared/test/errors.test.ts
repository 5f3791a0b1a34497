import { GraphQLError } from 'graphql';
import { mongoErrorToGraphQL } from '../src';

describe('mongoErrorToGraphQL', () => {
  it('turns a duplicate key into CONFLICT naming the key', () => {
    const err = mongoErrorToGraphQL({ code: 11000, keyValue: { iin: '791028302728' }, message: 'E11000 …' }) as GraphQLError;
    expect(err.extensions.code).toBe('CONFLICT');
    expect(err.message).toMatch(/^iin:/);
  });

  it('turns a mongoose validation error into BAD_USER_INPUT naming the field', () => {
    const err = mongoErrorToGraphQL({ name: 'ValidationError', errors: { rating: { path: 'rating', message: 'rating must be 1-5' } } }) as GraphQLError;
    expect(err.extensions).toEqual({ code: 'BAD_USER_INPUT', field: 'rating' });
  });

  it('passes API errors and unknown failures through unchanged', () => {
    const api = new GraphQLError('x', { extensions: { code: 'NOT_FOUND' } });
    expect(mongoErrorToGraphQL(api)).toBe(api);
    const boom = new Error('socket closed');
    expect(mongoErrorToGraphQL(boom)).toBe(boom);
  });
});
