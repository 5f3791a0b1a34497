import { Long, Timestamp, type Document } from 'bson';
import { MAX_BSON_OBJECT_SIZE, MAX_MESSAGE_SIZE } from '../wire/messages';
import { sessionKey } from '../storage/transactions';
import type { CommandContext, Handler } from './context';

export const MAX_WRITE_BATCH_SIZE = 100_000;
export const VERSION = '7.0.0';

/**
 * The hello reply. The server presents itself as the primary of a one-member replica set
 * because drivers only allow transactions against replica sets; `topologyVersion` is left out
 * because awaitable hello (streaming monitoring) is not implemented.
 */
function hello(ctx: CommandContext): Document {
  const me = `${ctx.server.host}:${ctx.server.port}`;
  const now = new Date();
  const opTime = { ts: Timestamp.fromBits(0, Math.floor(now.getTime() / 1000)), t: Long.fromNumber(1) };
  const reply: Document = {
    isWritablePrimary: true,
    helloOk: true,
    ismaster: true,
    setName: 'rs0',
    setVersion: 1,
    hosts: [me],
    primary: me,
    me,
    secondary: false,
    electionId: ctx.server.electionId,
    lastWrite: { opTime, lastWriteDate: now, majorityOpTime: opTime, majorityWriteDate: now },
    maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
    maxMessageSizeBytes: MAX_MESSAGE_SIZE,
    maxWriteBatchSize: MAX_WRITE_BATCH_SIZE,
    localTime: now,
    logicalSessionTimeoutMinutes: 30,
    connectionId: ctx.connectionId,
    minWireVersion: 0,
    maxWireVersion: 21,
    readOnly: false,
    ok: 1,
  };
  // Legacy `ismaster` callers do not understand the newer field name.
  if (!('hello' in ctx.cmd)) delete reply.isWritablePrimary;
  return reply;
}

function buildInfo(): Document {
  return {
    version: VERSION,
    gitVersion: 'embedded',
    versionArray: [7, 0, 0, 0],
    bits: 64,
    debug: false,
    maxBsonObjectSize: MAX_BSON_OBJECT_SIZE,
    storageEngines: ['embedded'],
    javascriptEngine: 'none',
    modules: [],
    ok: 1,
  };
}

/** endSessions / killSessions: aborts their open transactions and forgets their retryable writes. */
function endSessions(ctx: CommandContext, ids: unknown): Document {
  const list = Array.isArray(ids) ? (ids as unknown[]) : [];
  ctx.transactions.endSessions(list);
  ctx.retryableWrites.forget(list.map(sessionKey).filter((k): k is string => k !== undefined));
  return { ok: 1 };
}

export const handshakeCommands: Record<string, Handler> = {
  hello,
  ismaster: hello,
  isMaster: hello,
  ping: () => ({ ok: 1 }),
  buildInfo,
  buildinfo: buildInfo,
  endSessions: (ctx) => endSessions(ctx, ctx.cmd.endSessions),
  killSessions: (ctx) => endSessions(ctx, ctx.cmd.killSessions),
  refreshSessions: () => ({ ok: 1 }),
  startSession: () => ({ ok: 1 }),
  getParameter: (ctx) => ({ ...(ctx.cmd.featureCompatibilityVersion ? { featureCompatibilityVersion: { version: '7.0' } } : {}), ok: 1 }),
  getLog: () => ({ totalLinesWritten: 0, log: [], ok: 1 }),
  hostInfo: () => ({ system: { hostname: 'embedded', cpuArch: process.arch }, os: { type: process.platform }, extra: {}, ok: 1 }),
  connectionStatus: () => ({ authInfo: { authenticatedUsers: [], authenticatedUserRoles: [] }, ok: 1 }),
  whatsmyuri: (ctx) => ({ you: `${ctx.server.host}:0`, ok: 1 }),
  getCmdLineOpts: () => ({ argv: ['embedded-mongo'], parsed: {}, ok: 1 }),
  serverStatus: (ctx) => ({
    host: `${ctx.server.host}:${ctx.server.port}`,
    version: VERSION,
    process: 'embedded-mongo',
    pid: Long.fromNumber(process.pid),
    uptime: Math.floor((Date.now() - ctx.server.startedAt.getTime()) / 1000),
    localTime: new Date(),
    connections: { current: 0 },
    ok: 1,
  }),
};
