import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Connection } from 'mongoose';
import { startEmbeddedMongo, type EmbeddedMongo } from '@civil-service/embedded-mongo';
import { connectDatabase, createDirectorySync, registerDirectoryModels, type DirectoryModels, type FeedEntry } from '../src';

/**
 * The directory copy's sync against a stand-in personnel feed: it reads pages after its cursor,
 * keeps each servant's newest snapshot, resumes from the saved cursor after a restart, and a page
 * applied twice changes nothing.
 */
let server: Server;
let url: string;
let mongo: EmbeddedMongo;
let db: Connection;
let models: DirectoryModels;
/** The feed personnel would serve: every change, newest snapshot per servant, in sequence order. */
let feed: FeedEntry[] = [];
const asked: Array<{ after: number; first: number; authorization?: string }> = [];
let failing = false;

function entry(servantId: string, seq: number, region: string | null): FeedEntry {
  const period = { from: '2020-01-01', to: null, positionId: `p${servantId}`, stateBodyId: 'b1', stateBodyLevel: 'CENTRAL', region: region ?? 'ASTANA', corps: 'B', categoryCode: 'C-4', managerial: false, rotationSubject: false };
  return {
    servantId,
    seq,
    changedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
    status: region ? 'ACTIVE' : 'DISMISSED',
    gender: 'FEMALE',
    birthYear: 1985,
    entryDate: '2020-01-01',
    stateBodyId: region ? 'b1' : null,
    stateBodyLevel: region ? 'CENTRAL' : null,
    region,
    corps: region ? 'B' : null,
    categoryCode: region ? 'C-4' : null,
    bodyChain: region ? ['b1'] : [],
    periods: [period],
  };
}

/** A change to a servant moves it to the end of the feed with the next number, as personnel's writer does. */
function change(servantId: string, region: string | null) {
  const seq = (feed.at(-1)?.seq ?? 0) + 1;
  feed = [...feed.filter((e) => e.servantId !== servantId), entry(servantId, seq, region)];
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const { after, first } = (JSON.parse(raw) as { variables: { after: number; first: number } }).variables;
      asked.push({ after, first, authorization: req.headers.authorization });
      res.setHeader('content-type', 'application/json');
      if (failing) return res.end(JSON.stringify({ data: null, errors: [{ message: 'FORBIDDEN' }] }));
      const entries = feed.filter((e) => e.seq > after).slice(0, first);
      res.end(JSON.stringify({ data: { servantDirectoryChanges: { head: feed.at(-1)?.seq ?? 0, entries } } }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
  mongo = await startEmbeddedMongo({ port: 0 });
  db = await connectDatabase({ uri: mongo.uri, dbName: 'directory_sync_test' });
  models = registerDirectoryModels(db);
  await models.Directory.init();
});
afterAll(async () => {
  await db.close();
  await mongo.stop();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const sync = () => createDirectorySync({ models, url, serviceToken: async () => 'svc-token', pageSize: 2 });

describe('servant directory sync', () => {
  it('copies every servant page by page with the service token, then reports no lag', async () => {
    for (const id of ['s1', 's2', 's3', 's4', 's5']) change(id, 'ASTANA');
    const copy = sync();
    expect(await copy.catchUp()).toBe(5);
    expect(asked.map((a) => a.after)).toEqual([0, 2, 4]);
    expect(asked.every((a) => a.authorization === 'Bearer svc-token')).toBe(true);
    expect(await models.Directory.countDocuments()).toBe(5);
    expect(await copy.status()).toMatchObject({ cursor: 5, head: 5, behind: 0, lastError: null });
  });

  it('resumes from its saved cursor after a restart, and keeps only the newest snapshot', async () => {
    change('s2', 'KARAGANDA');
    change('s3', null);
    asked.length = 0;
    const restarted = sync();
    expect(await restarted.catchUp()).toBe(2);
    expect(asked[0].after).toBe(5);
    const s2 = await models.Directory.findById('s2').lean();
    const s3 = await models.Directory.findById('s3').lean();
    expect([s2?.region, s2?.seq, s3?.stateBodyId, s3?.status]).toEqual(['KARAGANDA', 6, null, 'DISMISSED']);
    expect(await models.Directory.countDocuments()).toBe(5);
  });

  it('changes nothing when a page is applied again (a crash before the cursor was saved)', async () => {
    const before = await models.Directory.find().sort({ _id: 1 }).lean();
    await models.DirectorySyncState.updateOne({ _id: 'personnel' }, { $set: { cursor: 3 } });
    const replay = sync();
    expect(await replay.catchUp()).toBe(4);
    expect(await models.Directory.find().sort({ _id: 1 }).lean()).toEqual(before);
  });

  it('retries soon after a failure (personnel still starting), whatever its poll interval', async () => {
    failing = true;
    change('s7', 'ASTANA');
    const copy = createDirectorySync({ models, url, serviceToken: async () => 'svc-token', intervalMs: 3_600_000 });
    copy.start();
    try {
      await new Promise((r) => setTimeout(r, 100));
      expect((await copy.status()).lastError).toMatch(/FORBIDDEN/);
      failing = false;
      const deadline = Date.now() + 5000;
      while (Date.now() < deadline && !(await models.Directory.exists({ _id: 's7' }))) await new Promise((r) => setTimeout(r, 50));
      expect(await models.Directory.exists({ _id: 's7' })).toBeTruthy();
    } finally {
      failing = false;
      await copy.stop();
    }
  });

  it('keeps its copy and reports the error when personnel refuses', async () => {
    failing = true;
    try {
      change('s6', 'ASTANA');
      const copy = sync();
      await expect(copy.catchUp()).rejects.toThrow(/FORBIDDEN/);
      expect(await models.Directory.countDocuments()).toBe(6);
    } finally {
      failing = false;
    }
  });
});
