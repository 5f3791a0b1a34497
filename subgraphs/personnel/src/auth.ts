import { Types, type Connection } from 'mongoose';
import {
  AuditWriter,
  auditEntriesForServant,
  badUserInput,
  auditEntrySchema,
  callerOf,
  decide,
  forbiddenField,
  notFound,
  type AuditEntry,
  type AuditModel,
  type EnableAuthOptions,
  type SubgraphAuth,
  type Target,
} from '@civil-service/shared';
import { requireId } from './resolvers/queries';
import { IN_SERVICE, type CivilServantDoc, type PersonnelModels, type PositionDoc, type StateBodyDoc } from './models';

const isId = (id: unknown): id is string => typeof id === 'string' && /^[0-9a-f]{24}$/i.test(id);

/** Each body followed by its ancestors, one query per level of the hierarchy (a handful). */
async function ancestorChains(models: PersonnelModels, bodyIds: readonly string[]): Promise<Map<string, string[]>> {
  const parentOf = new Map<string, string | null>();
  let wanted = [...new Set(bodyIds)];
  while (wanted.length > 0) {
    const bodies = await models.StateBody.find({ _id: { $in: wanted.map((id) => new Types.ObjectId(id)) } }, { parentId: 1 }).lean<Pick<StateBodyDoc, '_id' | 'parentId'>[]>();
    for (const b of bodies) parentOf.set(b._id.toHexString(), b.parentId ? b.parentId.toHexString() : null);
    // A body missing from the register ends its chain; a cycle cannot loop since seen ids are skipped.
    wanted = [...new Set(bodies.map((b) => b.parentId?.toHexString()).filter((id): id is string => !!id && !parentOf.has(id)))];
  }
  const chains = new Map<string, string[]>();
  for (const id of bodyIds) {
    const chain: string[] = [];
    for (let at: string | null | undefined = id; at && !chain.includes(at); at = parentOf.get(at)) chain.push(at);
    chains.set(id, chain);
  }
  return chains;
}

/**
 * hr's scope: each servant's current state body followed by its ancestors, null when the servant
 * is unknown or not in service (no body's hr may then read them). Also used by the other subgraphs,
 * which hold no assignments, through personnel's database.
 */
export function personnelBodyChains(models: PersonnelModels) {
  return async (servantIds: readonly string[]): Promise<Array<string[] | null>> => {
    const ids = servantIds.filter(isId).map((id) => new Types.ObjectId(id));
    const servants = await models.CivilServant.find({ _id: { $in: ids } }, { status: 1, currentStateBodyId: 1 }).lean<Pick<CivilServantDoc, '_id' | 'status' | 'currentStateBodyId'>[]>();
    const bodyOf = new Map(servants.filter((s) => IN_SERVICE.includes(s.status) && s.currentStateBodyId).map((s) => [s._id.toHexString(), s.currentStateBodyId!.toHexString()]));
    const chains = await ancestorChains(models, [...bodyOf.values()]);
    return servantIds.map((id) => {
      const body = bodyOf.get(id);
      return body ? (chains.get(body) ?? null) : null;
    });
  };
}

const MAX_CHAIN_IDS = 1000;

/** `Query.servantBodyChains`: the lookup behind `remoteBodyChains` in the other subgraphs. */
export function bodyChainsResolver(models: PersonnelModels) {
  const chains = personnelBodyChains(models);
  return async (_: unknown, args: { ids: readonly string[] }) => {
    // One request carries one operation's servants; a bound keeps a stolen service token from dumping the register in one call.
    if (args.ids.length > MAX_CHAIN_IDS) throw badUserInput(`ids: at most ${MAX_CHAIN_IDS}`);
    const found = await chains(args.ids);
    return args.ids.map((servantId, i) => ({ servantId, chain: found[i] }));
  };
}

/** What each mutation writes, for hr's scope: a hire writes into the position's body. */
function writeTargets(models: PersonnelModels, chains: ReturnType<typeof personnelBodyChains>): NonNullable<EnableAuthOptions['writeTargets']> {
  // Bad or unknown ids get the resolver's own answers (BAD_USER_INPUT, NOT_FOUND), not FORBIDDEN:
  // register ids are opaque, and the caller needs to know what to fix.
  const ofServant = async (args: Record<string, unknown>): Promise<Target> => {
    const servantId = requireId(String((args.input as { servantId?: unknown } | undefined)?.servantId), 'servantId').toHexString();
    if (!(await models.CivilServant.exists({ _id: servantId }))) throw notFound(`servantId: no civil servant ${servantId}`);
    return { servantId, bodyChain: (await chains([servantId]))[0] };
  };
  return {
    async hireCivilServant(args) {
      const positionId = requireId(String((args.input as { positionId?: unknown } | undefined)?.positionId), 'positionId');
      const position = await models.Position.findById(positionId, { stateBodyId: 1 }).lean<Pick<PositionDoc, 'stateBodyId'>>();
      if (!position) throw notFound(`positionId: no position ${positionId.toHexString()}`);
      const body = position.stateBodyId.toHexString();
      return { bodyChain: (await ancestorChains(models, [body])).get(body) ?? null };
    },
    dismissCivilServant: ofServant,
    imposeSanction: ofServant,
  };
}

/** The audit log in personnel's own database; its indexes are built with the other models'. */
export function personnelAuditModel(db: Connection): AuditModel {
  const name = 'AuditEntry_audit_log';
  return (db.models[name] as AuditModel | undefined) ?? db.model<AuditEntry>(name, auditEntrySchema, 'audit_log');
}

/** Personnel's auth options: its own hr scope, hr's write targets and its audit log. */
export function personnelAuthOptions(models: PersonnelModels, audit: AuditModel, auth: SubgraphAuth): EnableAuthOptions {
  const chains = personnelBodyChains(models);
  return {
    verifier: auth.verifier,
    auditWriter: auth.auditWriter ?? new AuditWriter(audit),
    bodyChains: auth.bodyChains ?? ((ids) => chains(ids)),
    writeTargets: writeTargets(models, chains),
    ...(auth.logger ? { logger: auth.logger } : {}),
  };
}

/** An entry as the API shows it: who, when, why, what; not the chain's internals. */
function dataAccess(e: AuditEntry) {
  return { at: e.at, requestId: e.requestId, subgraph: e.subgraph, actorRole: e.actor.role, actorSubject: e.actor.sub, actorStateBody: e.actor.stateBody, purpose: e.purpose, categories: e.categories, fields: e.fields };
}

/**
 * "Who read my data". Decided here with the policy's own `decide` (category accessLog), since a
 * root field marked @servantRecord would only be an entry point open to every servant-data role.
 */
export function accessLogResolvers(audit: AuditModel) {
  const read = async (context: unknown, servantId: string, path: string, first?: number | null) => {
    const caller = callerOf(context);
    if (!caller) throw forbiddenField(path, 'no authenticated caller');
    const decision = decide(caller, { categories: ['accessLog'] }, { servantId });
    if (!decision.allow) throw forbiddenField(path, decision.reason);
    return (await auditEntriesForServant(audit, servantId, first ?? 100)).map(dataAccess);
  };
  return {
    dataAccessLog: (_: unknown, args: { servantId: string; first?: number | null }, context: unknown) => read(context, args.servantId, 'Query.dataAccessLog', args.first),
    myDataAccessLog: (_: unknown, args: { first?: number | null }, context: unknown) => {
      const own = callerOf(context)?.servant;
      if (!own) throw forbiddenField('Query.myDataAccessLog', 'only a servant token (with a servant claim) has its own access log');
      return read(context, own, 'Query.myDataAccessLog', args.first);
    },
  };
}
