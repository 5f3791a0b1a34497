import { makeIIN, type TokenClaims } from '@civil-service/shared';
import { d, fixture, NEW_IIN, oid, startHarness, type Harness } from './helpers';

let h: Harness;
let f: Awaited<ReturnType<typeof fixture>>;
beforeAll(async () => {
  h = await startHarness();
  f = await fixture(h.models);
});
afterAll(() => h.stop());

const HIRE = /* GraphQL */ `
  mutation Hire($input: HireCivilServantInput!) {
    hireCivilServant(input: $input) { id iin lastName birthDate gender status corps currentAssignment { startDate position { id vacant } } }
  }`;
const DISMISS = /* GraphQL */ `
  mutation Dismiss($input: DismissCivilServantInput!) {
    dismissCivilServant(input: $input) { id status corps currentAssignment { startDate } assignments { endDate endReason } }
  }`;
const SANCTION = /* GraphQL */ `
  mutation Sanction($input: SanctionInput!) { imposeSanction(input: $input) { id type imposedOn liftedOn orderNumber grounds } }`;

/** Hires and dismissals are hr's, of the ministry (the fixture's unit is below it). */
const hr = () => ({ role: 'hr' as const, stateBody: f.ministry._id.toHexString(), purpose: 'subgraph test' });
const hire = (over: Record<string, unknown> = {}, as: TokenClaims = hr()) =>
  h.query<{ hireCivilServant: Record<string, unknown> }>(HIRE, {
    input: { iin: NEW_IIN, lastName: 'Сейтжанова', firstName: 'Айгерим', patronymic: 'Нурлановна', positionId: f.vacantB._id.toHexString(), startDate: '2026-11-02', orderNumber: '501-ЛС/2026', ...over },
  }, as);
const dismiss = (servantId: string, over: Record<string, unknown> = {}) =>
  h.query<{ dismissCivilServant: Record<string, unknown> }>(DISMISS, { input: { servantId, endDate: '2026-11-20', reason: 'RESIGNATION', orderNumber: '600-ЛС/2026', ...over } }, hr());

/** Documents of every collection the mutations write, to prove a refusal wrote nothing. */
async function snapshot() {
  const m = h.models;
  return Promise.all([m.CivilServant, m.Assignment, m.Position, m.PersonnelAction, m.Sanction].map((model) => model.collection.find().sort({ _id: 1 }).toArray()));
}

async function expectRefused(res: { errors?: Array<{ extensions?: Record<string, unknown> }>; data?: unknown }, code: string, field?: string) {
  expect(res.errors?.[0].extensions?.code).toBe(code);
  if (field) expect(res.errors?.[0].extensions?.field).toBe(field);
}

describe('hireCivilServant refusals write nothing', () => {
  it.each([
    ['an invalid IIN', { iin: '821214240092' }, 'BAD_USER_INPUT', undefined],
    ['a blank surname', { lastName: '   ' }, 'BAD_USER_INPUT', 'lastName'],
    ['digits in a given name', { firstName: 'Айгерим2' }, 'BAD_USER_INPUT', 'firstName'],
    ['an empty order number', { orderNumber: '' }, 'BAD_USER_INPUT', 'orderNumber'],
    ['a start before the person turns 18', { iin: '061211600012', startDate: '2024-01-10' }, 'BAD_USER_INPUT', 'startDate'],
    ['a malformed position id', { positionId: '42' }, 'BAD_USER_INPUT', 'positionId'],
    ['a position that does not exist', { positionId: oid().toHexString() }, 'NOT_FOUND', undefined],
    ['a position somebody holds', { positionId: 'HELD' }, 'CONFLICT', undefined],
    ['an IIN already registered', { iin: '791028302728' }, 'CONFLICT', undefined],
    ['a corps A post without a reserve while the rule was in force', { positionId: 'A', startDate: '2016-05-02' }, 'CONFLICT', undefined],
  ])('refuses %s', async (_label, over, code, field) => {
    const input = { ...over } as Record<string, unknown>;
    if (input.positionId === 'HELD') input.positionId = f.held._id.toHexString();
    if (input.positionId === 'A') input.positionId = f.vacantA._id.toHexString();
    const before = await snapshot();
    await expectRefused(await hire(input), code, field);
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a position whose category does not fit its body level', async () => {
    const rural = { _id: oid(), name: 'Аппарат акима сельского округа Акжар', level: 'LOCAL_RURAL' as const, region: 'ABAI' as const, parentId: null };
    await h.models.StateBody.insertMany([rural]);
    const wrong = { _id: oid(), stateBodyId: rural._id, title: 'Главный специалист', categoryCode: 'C-3', corps: 'B' as const, isManagerial: false, rotationSubject: false, holderId: null };
    await h.models.Position.insertMany([wrong]);
    const before = await snapshot();
    const res = await hire({ positionId: wrong._id.toHexString() }, { ...hr(), stateBody: rural._id.toHexString() });
    await expectRefused(res, 'CONFLICT');
    expect(res.errors?.[0].message).toMatch(/C-3 does not match a LOCAL_RURAL body/);
    expect(await snapshot()).toEqual(before);
  });
});

describe('hire, sanction, dismiss and re-hire', () => {
  let newId: string;

  it('registers a person on a vacant post, birth date and gender taken from the IIN', async () => {
    const res = await hire();
    expect(res.errors).toBeUndefined();
    const s = res.data!.hireCivilServant;
    expect(s).toMatchObject({ iin: NEW_IIN, lastName: 'Сейтжанова', birthDate: '1990-05-17', gender: 'FEMALE', status: 'ACTIVE', corps: 'B' });
    expect(s.currentAssignment).toEqual({ startDate: '2026-11-02', position: { id: f.vacantB._id.toHexString(), vacant: false } });
    newId = s.id as string;
    const body = await h.query<{ stateBody: { headcount: number } }>(`query($id: ID!) { stateBody(id: $id) { headcount } }`, { id: f.unit._id.toHexString() });
    expect(body.data!.stateBody.headcount).toBe(2);
  });

  it('appoints to corps A without a reserve once the rule is no longer in force', async () => {
    const res = await hire({ iin: makeIIN(d('1975-03-03'), 'MALE', 77), positionId: f.vacantA._id.toHexString(), startDate: '2026-11-16' });
    expect(res.errors).toBeUndefined();
    expect(res.data!.hireCivilServant).toMatchObject({ corps: 'A', status: 'ACTIVE' });
  });

  it('records a sanction, and refuses bad sanction input without writing', async () => {
    const ok = await h.query<{ imposeSanction: Record<string, unknown> }>(SANCTION, {
      input: { servantId: newId, type: 'REPRIMAND', imposedOn: '2026-11-23', orderNumber: '610-ЛС/2026', grounds: 'Нарушение служебной дисциплины' },
    });
    expect(ok.errors).toBeUndefined();
    expect(ok.data!.imposeSanction).toMatchObject({ type: 'REPRIMAND', imposedOn: '2026-11-23', liftedOn: null, orderNumber: '610-ЛС/2026' });
    const profile = await h.query<{ civilServant: { sanctions: unknown[] } }>(`query($id: ID!) { civilServant(id: $id) { sanctions { type } } }`, { id: newId });
    expect(profile.data!.civilServant.sanctions).toEqual([{ type: 'REPRIMAND' }]);

    const base = { servantId: newId, type: 'REMARK', imposedOn: '2026-11-23', orderNumber: '611-ЛС/2026', grounds: 'Опоздание' };
    const before = await snapshot();
    await expectRefused(await h.query(SANCTION, { input: { ...base, grounds: ' ' } }), 'BAD_USER_INPUT', 'grounds');
    await expectRefused(await h.query(SANCTION, { input: { ...base, imposedOn: '2027-01-01' } }), 'BAD_USER_INPUT', 'imposedOn');
    await expectRefused(await h.query(SANCTION, { input: { ...base, servantId: 'zz' } }), 'BAD_USER_INPUT', 'servantId');
    await expectRefused(await h.query(SANCTION, { input: { ...base, servantId: oid().toHexString() } }), 'NOT_FOUND');
    await expectRefused(await h.query(SANCTION, { input: { ...base, type: 'FLOGGING' } }), 'BAD_USER_INPUT');
    expect(await snapshot()).toEqual(before);
  });

  it('refuses bad dismissals without writing', async () => {
    const before = await snapshot();
    await expectRefused(await dismiss(newId, { reason: 'TRANSFER' }), 'BAD_USER_INPUT', 'reason');
    await expectRefused(await dismiss(newId, { endDate: '2026-12-01' }), 'BAD_USER_INPUT', 'endDate');
    await expectRefused(await dismiss(newId, { endDate: '2026-10-01' }), 'BAD_USER_INPUT', 'endDate');
    await expectRefused(await dismiss(newId, { orderNumber: '' }), 'BAD_USER_INPUT', 'orderNumber');
    await expectRefused(await dismiss(oid().toHexString()), 'NOT_FOUND');
    expect(await snapshot()).toEqual(before);
  });

  it('dismisses: the post becomes vacant and the history keeps the assignment', async () => {
    const res = await dismiss(newId, { reason: 'DISMISSAL_CORRUPTION', endDate: '2026-11-20' });
    expect(res.errors).toBeUndefined();
    expect(res.data!.dismissCivilServant).toMatchObject({ status: 'DISMISSED', corps: null, currentAssignment: null, assignments: [{ endDate: '2026-11-20', endReason: 'DISMISSAL_CORRUPTION' }] });
    const positions = await h.query<{ positions: Array<{ id: string }> }>(`query($b: ID!) { positions(stateBodyId: $b, vacant: true) { id } }`, { b: f.unit._id.toHexString() });
    expect(positions.data!.positions.map((p) => p.id)).toContain(f.vacantB._id.toHexString());
    // Out of service, the servant is no longer in any body's hr scope: a second dismissal is refused
    // before the business rule (CONFLICT) is reached, and writes nothing either way.
    await expectRefused(await dismiss(newId), 'FORBIDDEN');
  });

  it('refuses to re-hire inside the re-entry bar or over the old assignment', async () => {
    const before = await snapshot();
    const barred = await hire({ startDate: '2026-11-24' });
    await expectRefused(barred, 'CONFLICT');
    expect(barred.errors?.[0].message).toMatch(/re-entry bar.*DISMISSAL_CORRUPTION.*2029-11-20/);
    expect(await snapshot()).toEqual(before);
  });

  it('re-hires a former servant after a resignation, refusing overlaps with the old assignment', async () => {
    const iin = makeIIN(d('1988-08-08'), 'MALE', 5);
    const first = await hire({ iin, startDate: '2026-10-01' });
    const id = first.data!.hireCivilServant.id as string;
    await dismiss(id, { endDate: '2026-11-10', reason: 'RESIGNATION' });
    const before = await snapshot();
    await expectRefused(await hire({ iin, startDate: '2026-11-05' }), 'CONFLICT');
    expect(await snapshot()).toEqual(before);
    const again = await hire({ iin, startDate: '2026-11-23' });
    expect(again.errors).toBeUndefined();
    expect(again.data!.hireCivilServant).toMatchObject({ id, status: 'ACTIVE' });
    const history = await h.query<{ civilServant: { assignments: unknown[] } }>(`query($id: ID!) { civilServant(id: $id) { assignments { startDate endDate } } }`, { id });
    expect(history.data!.civilServant.assignments).toEqual([{ startDate: '2026-11-23', endDate: null }, { startDate: '2026-10-01', endDate: '2026-11-10' }]);
  });
});
