import { calculateObjectSize, type Document } from 'bson';
import { Query } from 'mingo';
import { ID_INDEX, type Collection } from '../storage/collection';
import { mongoError } from '../storage/errors';
import { flush, collectionName, optionalDoc, type CommandContext, type Handler } from './context';

/** Catalog changes wait for transactions holding the affected collections, like writes do. */
async function waitFor(colls: Collection[]): Promise<void> {
  for (const c of colls) await c.waitUnlocked();
}

async function create(ctx: CommandContext): Promise<Document> {
  const name = collectionName(ctx, 'create');
  if (ctx.cmd.capped) throw mongoError('InvalidOptions', 'capped collections are not supported');
  if (ctx.cmd.viewOn) throw mongoError('InvalidOptions', 'views are not supported');
  if (ctx.engine.collection(ctx.db, name)) throw mongoError('NamespaceExists', `Collection ${ctx.db}.${name} already exists.`);
  ctx.engine.apply({ op: 'createCollection', db: ctx.db, coll: name }, ctx.log);
  flush(ctx);
  return { ok: 1 };
}

async function drop(ctx: CommandContext): Promise<Document> {
  const name = collectionName(ctx, 'drop');
  const coll = ctx.engine.collection(ctx.db, name);
  if (!coll) throw mongoError('NamespaceNotFound', 'ns not found');
  await waitFor([coll]);
  const nIndexesWas = coll.indexes.size;
  if (ctx.engine.collection(ctx.db, name)) {
    ctx.engine.apply({ op: 'dropCollection', db: ctx.db, coll: name }, ctx.log);
    flush(ctx);
  }
  return { nIndexesWas, ns: `${ctx.db}.${name}`, ok: 1 };
}

async function dropDatabase(ctx: CommandContext): Promise<Document> {
  await waitFor(ctx.engine.collections(ctx.db));
  if (ctx.engine.dbs.has(ctx.db)) {
    ctx.engine.apply({ op: 'dropDatabase', db: ctx.db }, ctx.log);
    flush(ctx);
  }
  return { dropped: ctx.db, ok: 1 };
}

function dataSize(coll: Collection): number {
  let size = 0;
  for (const e of coll.docs.values()) size += calculateObjectSize(e.doc);
  return size;
}

function listDatabases(ctx: CommandContext): Document {
  let databases = [...ctx.engine.dbs.keys()].map((name) => {
    const colls = ctx.engine.collections(name);
    const sizeOnDisk = ctx.cmd.nameOnly ? 0 : colls.reduce((n, c) => n + dataSize(c), 0);
    return { name, sizeOnDisk, empty: colls.every((c) => c.docs.size === 0) };
  });
  const filter = optionalDoc(ctx.cmd.filter, 'filter');
  if (filter) {
    const q = new Query(filter);
    databases = databases.filter((d) => q.test(d));
  }
  if (ctx.cmd.nameOnly) return { databases: databases.map((d) => ({ name: d.name })), ok: 1 };
  return { databases, totalSize: databases.reduce((n, d) => n + d.sizeOnDisk, 0), totalSizeMb: 0, ok: 1 };
}

function listCollections(ctx: CommandContext): Document {
  let infos: Document[] = ctx.engine.collections(ctx.db).map((c) => ({
    name: c.name,
    type: 'collection',
    options: {},
    info: { readOnly: false, uuid: c.uuid },
    idIndex: { v: 2, key: { _id: 1 }, name: '_id_' },
  }));
  const filter = optionalDoc(ctx.cmd.filter, 'filter');
  if (filter) {
    const q = new Query(filter);
    infos = infos.filter((i) => q.test(i));
  }
  if (ctx.cmd.nameOnly) infos = infos.map((i) => ({ name: i.name, type: i.type }));
  const reply = ctx.cursors.create(`${ctx.db}.$cmd.listCollections`, infos, {
    batchSize: (ctx.cmd.cursor as Document | undefined)?.batchSize as number | undefined,
  });
  return { cursor: { id: reply.id, ns: reply.ns, firstBatch: reply.batch }, ok: 1 };
}

function dbStats(ctx: CommandContext): Document {
  const colls = ctx.engine.collections(ctx.db);
  const objects = colls.reduce((n, c) => n + c.docs.size, 0);
  const size = colls.reduce((n, c) => n + dataSize(c), 0);
  const scale = Number(ctx.cmd.scale) > 0 ? Number(ctx.cmd.scale) : 1;
  return {
    db: ctx.db,
    collections: colls.length,
    views: 0,
    objects,
    avgObjSize: objects ? size / objects : 0,
    dataSize: size / scale,
    storageSize: size / scale,
    indexes: colls.reduce((n, c) => n + c.indexes.size, 0),
    indexSize: 0,
    totalSize: size / scale,
    scaleFactor: scale,
    ok: 1,
  };
}

function collStats(ctx: CommandContext): Document {
  const name = collectionName(ctx, 'collStats');
  const coll = ctx.engine.collection(ctx.db, name);
  if (!coll) throw mongoError('NamespaceNotFound', `Collection [${ctx.db}.${name}] not found.`);
  const size = dataSize(coll);
  return {
    ns: coll.ns,
    count: coll.docs.size,
    size,
    avgObjSize: coll.docs.size ? size / coll.docs.size : 0,
    storageSize: size,
    nindexes: coll.indexes.size,
    indexSizes: Object.fromEntries([...coll.indexes.keys()].map((k) => [k, 0])),
    totalIndexSize: 0,
    ok: 1,
  };
}

async function renameCollection(ctx: CommandContext): Promise<Document> {
  const from = String(ctx.cmd.renameCollection ?? '');
  const to = String(ctx.cmd.to ?? '');
  const split = (ns: string) => {
    const i = ns.indexOf('.');
    if (i <= 0 || i === ns.length - 1) throw mongoError('InvalidNamespace', `Invalid namespace specified '${ns}'`);
    return [ns.slice(0, i), ns.slice(i + 1)] as const;
  };
  const [fromDb, fromName] = split(from);
  const [toDb, toName] = split(to);
  const source = ctx.engine.collection(fromDb, fromName);
  if (!source) throw mongoError('NamespaceNotFound', 'source namespace does not exist');
  const target = ctx.engine.collection(toDb, toName);
  await waitFor(target ? [source, target] : [source]);
  if (ctx.engine.collection(toDb, toName)) {
    if (!ctx.cmd.dropTarget) throw mongoError('NamespaceExists', 'target namespace exists');
    ctx.engine.apply({ op: 'dropCollection', db: toDb, coll: toName }, ctx.log);
  }
  const src = ctx.engine.collection(fromDb, fromName);
  if (!src) throw mongoError('NamespaceNotFound', 'source namespace does not exist');
  ctx.engine.apply({ op: 'createCollection', db: toDb, coll: toName }, ctx.log);
  for (const idx of src.indexes.values()) {
    if (idx.name !== ID_INDEX.name) ctx.engine.apply({ op: 'createIndex', db: toDb, coll: toName, spec: idx.spec }, ctx.log);
  }
  for (const e of src.docs.values()) ctx.engine.apply({ op: 'insert', db: toDb, coll: toName, doc: e.doc }, ctx.log);
  ctx.engine.apply({ op: 'dropCollection', db: fromDb, coll: fromName }, ctx.log);
  flush(ctx);
  return { ok: 1 };
}

export const catalogCommands: Record<string, Handler> = {
  create,
  drop,
  dropDatabase,
  listDatabases,
  listCollections,
  dbStats,
  dbstats: dbStats,
  collStats,
  renameCollection,
};
