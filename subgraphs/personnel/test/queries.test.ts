import { fixture, startHarness, type Harness } from './helpers';

let h: Harness;
let f: Awaited<ReturnType<typeof fixture>>;
beforeAll(async () => {
  h = await startHarness();
  f = await fixture(h.models);
});
afterAll(() => h.stop());

const PROFILE = /* GraphQL */ `
  query Profile($iin: IIN, $id: ID) {
    civilServant(iin: $iin, id: $id) {
      id iin lastName firstName patronymic birthDate gender serviceType corps status
      currentAssignment { startDate position { id title categoryCode vacant stateBody { id name level region parent { id } } } }
      assignments { startDate endDate endReason position { id categoryCode stateBody { id } } }
      civilServiceTenure { years months days totalDays }
      education { institution degree graduatedOn }
      rotations { scheme startDate fromBody { id region } toBody { id region } }
      incentives { type date orderNumber }
      sanctions { type imposedOn liftedOn orderNumber grounds }
      corruptionRecords { article }
      reserveMemberships { type }
    }
  }`;

describe('civilServant', () => {
  it('returns the whole profile by IIN, with tenure from the assignment intervals', async () => {
    const res = await h.query<{ civilServant: Record<string, unknown> }>(PROFILE, { iin: f.iin });
    expect(res.errors).toBeUndefined();
    const s = res.data!.civilServant;
    expect(s).toMatchObject({
      id: f.servantId.toHexString(),
      iin: '791028302728',
      lastName: 'Ахметов',
      patronymic: 'Серикович',
      birthDate: '1979-10-28',
      gender: 'MALE',
      serviceType: 'ADMINISTRATIVE',
      corps: 'B',
      status: 'ACTIVE',
      currentAssignment: {
        startDate: '2020-03-02',
        position: { id: f.held._id.toHexString(), categoryCode: 'C-O-4', vacant: false, stateBody: { id: f.unit._id.toHexString(), level: 'CENTRAL_TERRITORIAL_OBLAST', region: 'KARAGANDA', parent: { id: f.ministry._id.toHexString() } } },
      },
      // Friday 2020-02-28 to Monday 2020-03-02 is continuous: 2015-01-05 to 2026-11-24.
      civilServiceTenure: { years: 11, months: 10, days: 20, totalDays: 4342 },
      rotations: [{ scheme: 'CENTER_TO_REGION', startDate: '2020-03-02', fromBody: { region: 'ASTANA' }, toBody: { region: 'KARAGANDA' } }],
      incentives: [{ type: 'BONUS', date: '2023-12-20', orderNumber: '99-ЛС/2023' }],
      sanctions: [{ type: 'REMARK', imposedOn: '2021-05-10', liftedOn: '2021-11-10' }],
      corruptionRecords: [],
      reserveMemberships: [],
    });
    // Newest first.
    expect((s.assignments as Array<{ startDate: string }>).map((a) => a.startDate)).toEqual(['2020-03-02', '2015-01-05']);
  });

  it('finds the same servant by id, and answers null for an unknown one', async () => {
    const byId = await h.query<{ civilServant: { iin: string } }>(PROFILE, { id: f.servantId.toHexString() });
    expect(byId.data!.civilServant.iin).toBe(f.iin);
    const unknown = await h.query<{ civilServant: unknown }>(PROFILE, { iin: '061211600012' });
    expect(unknown.errors).toBeUndefined();
    expect(unknown.data!.civilServant).toBeNull();
  });

  it('refuses an invalid IIN, both or neither argument, and a malformed id', async () => {
    const bad = await h.query(PROFILE, { iin: '821214240092' });
    expect(bad.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const both = await h.query(PROFILE, { iin: f.iin, id: f.servantId.toHexString() });
    expect(both.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    const neither = await h.query(PROFILE, {});
    expect(neither.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
    const malformed = await h.query(PROFILE, { id: 'nope' });
    expect(malformed.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'id' });
  });
});

describe('stateBodies and positions', () => {
  it('lists bodies by region and level with headcount and parent', async () => {
    const res = await h.query<{ stateBodies: Array<Record<string, unknown>> }>(
      `query { all: stateBodies { id } stateBodies(region: KARAGANDA, level: CENTRAL_TERRITORIAL_OBLAST) { id name headcount parent { id name } } }`,
    );
    expect(res.errors).toBeUndefined();
    expect((res.data as unknown as { all: unknown[] }).all).toHaveLength(2);
    expect(res.data!.stateBodies).toEqual([
      { id: f.unit._id.toHexString(), name: f.unit.name, headcount: 1, parent: { id: f.ministry._id.toHexString(), name: f.ministry.name } },
    ]);
  });

  it('lists the vacant or the filled positions of a body', async () => {
    const q = `query($b: ID!, $v: Boolean) { positions(stateBodyId: $b, vacant: $v) { id vacant categoryCode stateBody { id } } }`;
    const all = await h.query<{ positions: Array<{ id: string; vacant: boolean }> }>(q, { b: f.unit._id.toHexString() });
    expect(all.data!.positions).toHaveLength(2);
    const vacant = await h.query<{ positions: Array<{ id: string; vacant: boolean }> }>(q, { b: f.unit._id.toHexString(), v: true });
    expect(vacant.data!.positions).toEqual([{ id: f.vacantB._id.toHexString(), vacant: true, categoryCode: 'C-O-5', stateBody: { id: f.unit._id.toHexString() } }]);
    const filled = await h.query<{ positions: Array<{ id: string }> }>(q, { b: f.unit._id.toHexString(), v: false });
    expect(filled.data!.positions.map((p) => p.id)).toEqual([f.held._id.toHexString()]);
    const bad = await h.query(q, { b: 'x' });
    expect(bad.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'stateBodyId' });
  });
});

describe('_entities', () => {
  it('resolves CivilServant, StateBody and Position references, null for unknown ids', async () => {
    const res = await h.query<{ _entities: Array<Record<string, unknown> | null> }>(
      `query($r: [_Any!]!) { _entities(representations: $r) {
        ... on CivilServant { id lastName } ... on StateBody { id name } ... on Position { id title vacant } } }`,
      {
        r: [
          { __typename: 'CivilServant', id: f.servantId.toHexString() },
          { __typename: 'StateBody', id: f.ministry._id.toHexString() },
          { __typename: 'Position', id: f.vacantA._id.toHexString() },
          { __typename: 'CivilServant', id: '000000000000000000000000' },
          { __typename: 'StateBody', id: 'not-an-id' },
        ],
      },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!._entities).toEqual([
      { id: f.servantId.toHexString(), lastName: 'Ахметов' },
      { id: f.ministry._id.toHexString(), name: f.ministry.name },
      { id: f.vacantA._id.toHexString(), title: 'Руководитель департамента', vacant: true },
      null,
      null,
    ]);
  });
});
