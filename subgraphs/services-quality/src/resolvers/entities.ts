import { badUserInput } from '@civil-service/shared';
import { bodyQualityKey, type BodyQuality, type ServantQuality } from '../loaders';
import { isObjectIdHex, type Context } from './context';

/** What this subgraph knows of a servant or a body: the register id, nothing personal. */
interface Ref {
  id: string;
}

/** A register id that cannot exist resolves to null without failing the rest of the batch. */
function reference(ref: { id?: unknown }): Ref | null {
  return isObjectIdHex(ref.id) ? { id: ref.id.toLowerCase() } : null;
}

/** Years a figure can be asked for: the register starts with independence. */
const FIRST_YEAR = 1991;
const LAST_YEAR = 9999;

export const entityResolvers = {
  // No database read here: a servant with no requests handled is still a servant (figures are zero).
  CivilServant: {
    __resolveReference: reference,
    serviceQuality: (servant: Ref, _args: unknown, ctx: Context): Promise<ServantQuality> => ctx.loaders.servantQuality.load(servant.id),
  },

  StateBody: {
    __resolveReference: reference,
    serviceQuality(body: Ref, args: { year?: number | null }, ctx: Context): Promise<BodyQuality> {
      const year = args.year ?? ctx.now().getUTCFullYear();
      // A future year is not an error: its figures are simply zero until requests come in.
      if (year < FIRST_YEAR || year > LAST_YEAR) throw badUserInput(`year must be a year from ${FIRST_YEAR} to ${LAST_YEAR}`, 'year');
      return ctx.loaders.bodyQuality.load(bodyQualityKey(body.id, year));
    },
  },
};
