import { GraphQLError, Kind } from 'graphql';
import { DateScalar, IINScalar } from '../src';

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return err instanceof GraphQLError ? err.extensions.code : 'not a GraphQLError';
  }
  return 'no error';
};

describe('Date scalar', () => {
  it('serialises a Date as its UTC calendar day', () => {
    expect(DateScalar.serialize(new Date('2024-02-29T23:00:00Z'))).toBe('2024-02-29');
  });

  it('parses YYYY-MM-DD to UTC midnight and refuses anything else with BAD_USER_INPUT', () => {
    expect(DateScalar.parseValue('2024-02-29')).toEqual(new Date(Date.UTC(2024, 1, 29)));
    expect(codeOf(() => DateScalar.parseValue('2023-02-29'))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => DateScalar.parseValue('29.02.2024'))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => DateScalar.parseValue(20240229))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => DateScalar.parseLiteral({ kind: Kind.INT, value: '1' }))).toBe('BAD_USER_INPUT');
  });
});

describe('IIN scalar', () => {
  it('accepts a valid IIN and refuses an invalid one before any resolver runs', () => {
    expect(IINScalar.parseValue('791028302728')).toBe('791028302728');
    expect(codeOf(() => IINScalar.parseValue('821214240092'))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => IINScalar.parseLiteral({ kind: Kind.STRING, value: '12345' }))).toBe('BAD_USER_INPUT');
    expect(codeOf(() => IINScalar.parseValue(791028302728))).toBe('BAD_USER_INPUT');
  });
});
