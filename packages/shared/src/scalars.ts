import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { ErrorCode } from './errors';
import { parseIIN } from './iin';

const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

function invalid(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.BAD_USER_INPUT } });
}

/** `YYYY-MM-DD` to a Date at UTC midnight; throws BAD_USER_INPUT for anything else. */
export function parseIsoDay(value: unknown): Date {
  const match = typeof value === 'string' ? ISO_DAY.exec(value) : null;
  if (!match) throw invalid(`Date must be a string of the form YYYY-MM-DD, got ${JSON.stringify(value)}`);
  const [, y, m, d] = match.map(Number);
  const date = new Date(Date.UTC(y, m - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) {
    throw invalid(`Date ${value as string} is not a calendar date`);
  }
  return date;
}

/** A calendar day, serialised as `YYYY-MM-DD` (UTC). */
export const DateScalar = new GraphQLScalarType<Date, string>({
  name: 'Date',
  description: 'A calendar date, serialised as YYYY-MM-DD.',
  serialize(value) {
    if (value instanceof Date && !Number.isNaN(value.getTime())) return value.toISOString().slice(0, 10);
    if (typeof value === 'string') return parseIsoDay(value.slice(0, 10)).toISOString().slice(0, 10);
    throw new GraphQLError(`Date cannot represent ${JSON.stringify(value)}`);
  },
  parseValue: parseIsoDay,
  parseLiteral(ast: ValueNode) {
    if (ast.kind !== Kind.STRING) throw invalid('Date must be a string of the form YYYY-MM-DD');
    return parseIsoDay(ast.value);
  },
});

function parseIINValue(value: unknown): string {
  if (typeof value !== 'string' || parseIIN(value) === null) {
    throw invalid(`IIN must be 12 digits with a valid birth date, century digit and check digit, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** The 12-digit individual identification number, validated (check digit included) on input. */
export const IINScalar = new GraphQLScalarType<string, string>({
  name: 'IIN',
  description: 'Individual identification number: 12 digits with a valid check digit.',
  serialize: (value) => String(value),
  parseValue: parseIINValue,
  parseLiteral(ast: ValueNode) {
    if (ast.kind !== Kind.STRING) throw invalid('IIN must be a string of 12 digits');
    return parseIINValue(ast.value);
  },
});
