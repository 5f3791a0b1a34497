import { makeIIN, registerDirectoryModels, type TokenClaims } from '@civil-service/shared';
import { allocateSequence, backfillDirectory, buildDirectorySnapshots, COUNTERS_COLLECTION, DIRECTORY_COUNTER_ID } from '../src';
import { d, fixture, NEW_IIN, oid, startHarness, type Harness } from './helpers';

let h: Harness;
let f: Awaited<ReturnType<typeof fixture>>;
beforeAll(async () => {
  h = await startHarness();
  f = await fixture(h.models);
});
afterAll(() => h.stop());

const SERVICE: TokenClaims = { role: 'service', sub: 'service:training' };
const hr = () => ({ role: 'hr' as const, stateBody: f.ministry._id.toHexString(), purpose: 'subgraph test' });

const FEED = /* GraphQL */ `
  query Feed($after: Int!, $first: Int) {
    servantDirectoryChanges(after: $after, first: $first) {
      head
      entries {
        servantId seq changedAt status gender birthYear entryDate stateBodyId stateBodyLevel region corps categoryCode bodyChain
        periods { from to positionId stateBodyId stateBodyLevel region corps categoryCode managerial rotationSubject }
      }
    }
  }`;
const HIRE = /* GraphQL */ `mutation Hire($input: HireCivilServantInput!) { hireCivilServant(input: $input) { id } }`;
const DISMISS = /* GraphQL */ `mutation Dismiss($input: DismissCivilServantInput!) { dismissCivilServant(input: $input) { id } }`;

interface FeedEntry {
  servantId: string;
  seq: number;
  status: string;
  stateBodyId: string | null;
  bodyChain: string[];
  periods: Array<{ from: string; to: string | null; positionId: string; categoryCode: string }>;
  [field: string]: unknown;
}
type Feed = { servantDirectoryChanges: { head: number; entries: FeedEntry[] } };
const feed = (after: number, first?: number, as: TokenClaims = SERVICE) => h.query<Feed>(FEED, { after, first }, as);

const hire = (iin: string, positionId: string, orderNumber: string) =>
  h.query<{ hireCivilServant: { id: string } }>(
    HIRE,
    { input: { iin, lastName: 'Сейтжанова', firstName: 'Айгерим', positionId, startDate: '2026-11-02', orderNumber } },
    hr(),
  );

let hiredId: string;

it('writes a hire and a dismissal to the feed, in increasing sequence order', async () => {
  const hired = await hire(NEW_IIN, f.vacantB._id.toHexString(), '501-ЛС/2026');
  expect(hired.errors).toBeUndefined();
  hiredId = hired.data!.hireCivilServant.id;
  const dismissed = await h.query(DISMISS, { input: { servantId: f.servantId.toHexString(), endDate: '2026-11-20', reason: 'RESIGNATION', orderNumber: '600-ЛС/2026' } }, hr());
  expect(dismissed.errors).toBeUndefined();

  const res = await feed(0);
  expect(res.errors).toBeUndefined();
  const { head, entries } = res.data!.servantDirectoryChanges;
  expect(head).toBe(2);
  expect(entries.map((e) => [e.servantId, e.seq])).toEqual([
    [hiredId, 1],
    [f.servantId.toHexString(), 2],
  ]);
  expect(entries[0]).toMatchObject({
    status: 'ACTIVE', gender: 'FEMALE', birthYear: 1990, entryDate: '2026-11-02', stateBodyId: f.unit._id.toHexString(), stateBodyLevel: 'CENTRAL_TERRITORIAL_OBLAST',
    region: 'KARAGANDA', corps: 'B', categoryCode: 'C-O-5', bodyChain: [f.unit._id.toHexString(), f.ministry._id.toHexString()],
    periods: [{ from: '2026-11-02', to: null, positionId: f.vacantB._id.toHexString(), stateBodyId: f.unit._id.toHexString(), stateBodyLevel: 'CENTRAL_TERRITORIAL_OBLAST', region: 'KARAGANDA', corps: 'B', categoryCode: 'C-O-5', managerial: false, rotationSubject: false }],
  });
  // A servant who left keeps the history the asOf questions read, and no current placement.
  expect(entries[1]).toMatchObject({ status: 'DISMISSED', gender: 'MALE', birthYear: 1979, entryDate: '2015-01-05', stateBodyId: null, region: null, corps: null, bodyChain: [] });
  expect(entries[1].periods.map((p) => [p.from, p.to, p.positionId, p.categoryCode])).toEqual([
    ['2015-01-05', '2020-02-28', f.old._id.toHexString(), 'C-4'],
    ['2020-03-02', '2026-11-20', f.held._id.toHexString(), 'C-O-4'],
  ]);
});

it('pages with after and first, and compacts a servant changed twice to its newest number', async () => {
  expect((await feed(0, 1)).data!.servantDirectoryChanges.entries.map((e) => e.seq)).toEqual([1]);
  expect((await feed(1, 1)).data!.servantDirectoryChanges.entries.map((e) => e.seq)).toEqual([2]);
  expect((await feed(2)).data!.servantDirectoryChanges).toEqual({ head: 2, entries: [] });

  await h.query(DISMISS, { input: { servantId: hiredId, endDate: '2026-11-20', reason: 'RESIGNATION', orderNumber: '601-ЛС/2026' } }, hr());
  const all = (await feed(0)).data!.servantDirectoryChanges;
  expect(all.head).toBe(3);
  expect(all.entries.map((e) => [e.servantId, e.seq, e.status])).toEqual([
    [f.servantId.toHexString(), 2, 'DISMISSED'],
    [hiredId, 3, 'DISMISSED'],
  ]);
});

it('numbers concurrent personnel actions without gaps or repeats (the loser of the counter retries)', async () => {
  const positions = [0, 1, 2].map(() => ({ _id: oid(), stateBodyId: f.ministry._id, title: 'Эксперт', categoryCode: 'C-5', corps: 'B', isManagerial: false, rotationSubject: false, holderId: null }));
  await h.models.Position.insertMany(positions);
  const iins = [1, 2, 3].map((serial) => makeIIN(d('1992-03-04'), 'MALE', 4000 + serial));
  const events: string[] = [];
  const listen = (e: { commandName: string; failure?: unknown }) => events.push(e.commandName + ':' + String((e.failure as { codeName?: string } | undefined)?.codeName ?? ''));
  h.db.getClient().on('commandFailed', listen);
  const results = await Promise.all(positions.map((p, i) => hire(iins[i], p._id.toHexString(), `70${i}-ЛС/2026`)));
  expect(results.map((r) => r.errors)).toEqual([undefined, undefined, undefined]);
  h.db.getClient().off('commandFailed', listen);
  // Whatever collided did so on the counter, transiently, and was retried.
  expect(events.filter((e) => !['findAndModify:WriteConflict', 'abortTransaction:NoSuchTransaction'].includes(e))).toEqual([]);
  const page = (await feed(3)).data!.servantDirectoryChanges;
  expect(page.entries.map((e) => e.seq)).toEqual([4, 5, 6]);
  expect(new Set(page.entries.map((e) => e.servantId))).toEqual(new Set(results.map((r) => r.data!.hireCivilServant.id)));
  expect(await h.db.collection(COUNTERS_COLLECTION).findOne({ _id: DIRECTORY_COUNTER_ID as never })).toMatchObject({ seq: 6 });
});

it('makes a change wait for an open one holding the counter, so numbers appear in commit order', async () => {
  const session = await h.db.startSession();
  session.startTransaction();
  const held = await allocateSequence(h.db, 1, session);
  expect(held).toBe(7);
  const position = { _id: oid(), stateBodyId: f.ministry._id, title: 'Эксперт', categoryCode: 'C-5', corps: 'B', isManagerial: false, rotationSubject: false, holderId: null };
  await h.models.Position.insertMany([position]);
  const pending = hire(makeIIN(d('1993-05-06'), 'FEMALE', 5001), position._id.toHexString(), '800-ЛС/2026');
  await new Promise((resolve) => setTimeout(resolve, 200));
  // The hire cannot have committed a number while ours is open.
  expect((await feed(6)).data!.servantDirectoryChanges.entries).toEqual([]);
  await session.commitTransaction();
  await session.endSession();
  expect((await pending).errors).toBeUndefined();
  const after = (await feed(6)).data!.servantDirectoryChanges;
  expect(after.entries.map((e) => e.seq)).toEqual([8]);
});

it('does not change the directory for a sanction', async () => {
  const SANCTION = /* GraphQL */ `mutation S($input: SanctionInput!) { imposeSanction(input: $input) { id } }`;
  const res = await h.query(SANCTION, { input: { servantId: hiredId, type: 'REMARK', imposedOn: '2026-11-10', orderNumber: '9-ЛС/2026', grounds: 'Опоздания' } });
  expect(res.errors).toBeUndefined();
  expect((await feed(0)).data!.servantDirectoryChanges.head).toBe(8);
});

it.each([
  ['a negative after', -1, undefined],
  ['first 0', 0, 0],
  ['first above the maximum', 0, 5001],
])('refuses %s', async (_label, after, first) => {
  const res = await feed(after, first);
  expect(res.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
});

it.each<[string, TokenClaims]>([
  ['analyst', { role: 'analyst' }],
  ['monitoring', { role: 'monitoring', purpose: 'subgraph test' }],
  ['hr', { role: 'hr', stateBody: '0'.repeat(24), purpose: 'subgraph test' }],
])('refuses the feed to %s', async (_label, claims) => {
  const res = await feed(0, undefined, claims);
  expect(res.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  expect(res.data?.servantDirectoryChanges ?? null).toBeNull();
});

it('builds the directory of a register that has none (data from before the directory), once', async () => {
  const directory = registerDirectoryModels(h.db);
  const servants = await h.models.CivilServant.countDocuments();
  const expected = await buildDirectorySnapshots(h.models, (await h.models.CivilServant.find({}, { _id: 1 }).lean()).map((s) => s._id));
  await directory.Directory.deleteMany({});

  expect(await backfillDirectory(h.db, h.models, directory)).toBe(servants);
  const entries = await directory.Directory.find().sort({ seq: 1 }).lean();
  expect(entries.map(({ seq: _seq, changedAt: _changedAt, ...snapshot }) => snapshot)).toEqual(expect.arrayContaining(expected));
  expect(entries).toHaveLength(servants);
  // Numbered like any change: after every number handed out before, so the copies read them all.
  expect(new Set(entries.map((e) => e.seq)).size).toBe(servants);
  expect(await backfillDirectory(h.db, h.models, directory)).toBe(0);
});
