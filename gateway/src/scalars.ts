import { isScalarType, type GraphQLSchema } from 'graphql';
import { DateScalar, IINScalar } from '@civil-service/shared';

/** The custom scalars whose input the gateway checks itself, by name in the API schema. */
const VALIDATED = [IINScalar, DateScalar];

/**
 * A supergraph declares custom scalars without behaviour, so the gateway would accept any value
 * and leave the check to whichever subgraph the query reaches, which answers 200 with `data:
 * { field: null }` at best. Giving the API schema's IIN and Date the shared input parsing makes an
 * invalid IIN or date fail variable coercion at the gateway: BAD_USER_INPUT, `data` absent, no
 * subgraph called. Output is untouched (the gateway passes subgraph values through unserialised).
 */
export function validateScalarInput(schema: GraphQLSchema): void {
  for (const scalar of VALIDATED) {
    const type = schema.getType(scalar.name);
    if (!isScalarType(type)) continue;
    // The gateway hands its schema object to Apollo Server and validates against that very
    // object, so the parsers are set on it in place.
    type.parseValue = scalar.parseValue;
    type.parseLiteral = scalar.parseLiteral;
  }
}
