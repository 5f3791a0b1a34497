import { d, program, record, servantId, startHarness, type Harness } from './helpers';
import type { TrainingProgramDoc } from '../src/models';

/**
 * The training subgraph alone, over HTTP, answering the way the gateway asks: catalogue queries
 * and `_entities` for CivilServant and TrainingProgram, batched per request.
 */
let h: Harness;
let ethics: TrainingProgramDoc;
let retraining: TrainingProgramDoc;
let digital: TrainingProgramDoc;
const current = servantId();
const lapsed = servantId();
const newcomer = servantId();

const ENTITIES = `
  query($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on CivilServant {
        id
        learningRecords { id status startDate endDate hours certificateNo program { id title type academicHours } }
        lastCompletedTraining
        trainingOverdue
      }
      ... on TrainingProgram { id title provider topics }
    }
  }`;

type ServantView = {
  id: string;
  learningRecords: Array<{ id: string; status: string; startDate: string; endDate: string | null; hours: number | null; certificateNo: string | null; program: { id: string; title: string } }>;
  lastCompletedTraining: string | null;
  trainingOverdue: boolean;
};

beforeAll(async () => {
  h = await startHarness();
  ethics = program({ title: 'Ethics of the civil servant' });
  retraining = program({ title: 'Retraining of civil servants newly admitted to corps B', type: 'RETRAINING', form: 'BLENDED', academicHours: 120, topics: ['civil service law'] });
  digital = program({ title: 'Digital government', form: 'BLENDED', academicHours: 36, topics: ['digital government', 'data analytics'] });
  await h.app.models.TrainingProgram.insertMany([ethics, retraining, digital]);
  await h.app.models.LearningRecord.insertMany([
    record(current, retraining._id, { startDate: d('2024-02-05'), endDate: d('2024-03-04'), hours: 120 }),
    record(current, ethics._id, { startDate: d('2025-03-03'), endDate: d('2025-03-07'), hours: 16, certificateNo: null }),
    record(current, digital._id, { status: 'ENROLLED', startDate: d('2026-11-16'), endDate: null, hours: null, certificateNo: null }),
    record(lapsed, ethics._id, { startDate: d('2022-05-16'), endDate: d('2022-05-20') }),
    record(lapsed, digital._id, { status: 'WITHDRAWN', startDate: d('2025-09-01'), endDate: null, hours: null, certificateNo: null }),
  ]);
});
afterAll(async () => {
  await h?.stop();
});

describe('catalogue', () => {
  it('lists programmes ordered by title, optionally of one type', async () => {
    const all = await h.query<{ trainingPrograms: Array<{ title: string; type: string; topics: string[] }> }>('{ trainingPrograms { title type topics } }');
    expect(all.errors).toBeUndefined();
    expect(all.data!.trainingPrograms.map((p) => p.title)).toEqual([
      'Digital government',
      'Ethics of the civil servant',
      'Retraining of civil servants newly admitted to corps B',
    ]);
    expect(all.data!.trainingPrograms[0].topics).toEqual(['digital government', 'data analytics']);
    const only = await h.query<{ trainingPrograms: Array<{ type: string }> }>('query($t: TrainingType) { trainingPrograms(type: $t) { type } }', { t: 'RETRAINING' });
    expect(only.data!.trainingPrograms).toEqual([{ type: 'RETRAINING' }]);
  });

  it('finds one programme by id; unknown is null; a malformed id is BAD_USER_INPUT naming id', async () => {
    const q = 'query($id: ID!) { trainingProgram(id: $id) { id title form provider academicHours } }';
    const found = await h.query<{ trainingProgram: { id: string; academicHours: number; form: string } }>(q, { id: String(digital._id) });
    expect(found.data!.trainingProgram).toMatchObject({ id: String(digital._id), academicHours: 36, form: 'BLENDED' });
    const upper = await h.query<{ trainingProgram: { id: string } }>(q, { id: String(digital._id).toUpperCase() });
    expect(upper.data!.trainingProgram.id).toBe(String(digital._id));
    const missing = await h.query(q, { id: '0123456789abcdef01234567' });
    expect(missing.errors).toBeUndefined();
    expect(missing.data).toEqual({ trainingProgram: null });
    const bad = await h.query(q, { id: 'nope' });
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(bad.errors?.[0]?.message).toContain('id');
  });
});

describe('CivilServant entity', () => {
  it('resolves records most recent first with programmes, the last completion and the overdue flag', async () => {
    const res = await h.query<{ _entities: ServantView[] }>(ENTITIES, {
      representations: [
        { __typename: 'CivilServant', id: current },
        { __typename: 'CivilServant', id: lapsed },
        { __typename: 'CivilServant', id: newcomer },
      ],
    });
    expect(res.errors).toBeUndefined();
    const [a, b, c] = res.data!._entities;
    expect(a.id).toBe(current);
    expect(a.learningRecords.map((r) => [r.status, r.startDate, r.program.title])).toEqual([
      ['ENROLLED', '2026-11-16', 'Digital government'],
      ['COMPLETED', '2025-03-03', 'Ethics of the civil servant'],
      ['COMPLETED', '2024-02-05', 'Retraining of civil servants newly admitted to corps B'],
    ]);
    expect(a.learningRecords[0]).toMatchObject({ endDate: null, hours: null, certificateNo: null });
    expect(a.learningRecords[2]).toMatchObject({ endDate: '2024-03-04', hours: 120, certificateNo: 'APA-2025-000001' });
    expect(a.lastCompletedTraining).toBe('2025-03-07');
    expect(a.trainingOverdue).toBe(false);

    // Completed more than 36 months before today (2026-11-24); a later withdrawal does not help.
    expect(b.lastCompletedTraining).toBe('2022-05-20');
    expect(b.trainingOverdue).toBe(true);

    expect(c).toEqual({ id: newcomer, learningRecords: [], lastCompletedTraining: null, trainingOverdue: true });
  });

  it('resolves a malformed id to null, without failing the batch', async () => {
    const res = await h.query<{ _entities: Array<ServantView | null> }>(ENTITIES, {
      representations: [
        { __typename: 'CivilServant', id: 'not-an-id' },
        { __typename: 'CivilServant', id: current },
      ],
    });
    expect(res.errors).toBeUndefined();
    expect(res.data!._entities[0]).toBeNull();
    expect(res.data!._entities[1]!.id).toBe(current);
  });

  it('resolves TrainingProgram references in one query, null for unknown or malformed ids', async () => {
    h.counter.reset();
    const res = await h.query<{ _entities: Array<{ id: string; title: string; topics: string[] } | null> }>(ENTITIES, {
      representations: [
        { __typename: 'TrainingProgram', id: String(ethics._id) },
        { __typename: 'TrainingProgram', id: '0123456789abcdef01234567' },
        { __typename: 'TrainingProgram', id: 'x' },
      ],
    });
    expect(res.errors).toBeUndefined();
    expect(res.data!._entities).toEqual([{ id: String(ethics._id), title: ethics.title, provider: ethics.provider, topics: ['ethics'] }, null, null]);
    expect(h.counter.byCollection()).toEqual({ trainingprograms: 1 });
  });

  it('publishes its SDL for composition', async () => {
    const res = await h.query<{ _service: { sdl: string } }>('{ _service { sdl } }');
    expect(res.data!._service.sdl).toContain('trainingOverdue');
    expect(res.data!._service.sdl).toMatch(/type CivilServant\s+@key\(fields: "id"\)/);
  });
});

describe('batching', () => {
  const many: string[] = [];

  beforeAll(async () => {
    const programs = [ethics, retraining, digital];
    const docs = [];
    for (let i = 0; i < 50; i += 1) {
      const id = servantId();
      many.push(id);
      for (let k = 0; k < 3; k += 1) {
        const p = programs[(i + k) % 3];
        docs.push(record(id, p._id, { startDate: d(`202${3 + k}-0${1 + (i % 9)}-10`), endDate: d(`202${3 + k}-0${1 + (i % 9)}-20`), hours: p.academicHours }));
      }
    }
    await h.app.models.LearningRecord.insertMany(docs);
  });

  async function commandsFor(ids: string[]) {
    h.counter.reset();
    const res = await h.query<{ _entities: ServantView[] }>(ENTITIES, {
      representations: ids.map((id) => ({ __typename: 'CivilServant', id })),
    });
    expect(res.errors).toBeUndefined();
    expect(res.data!._entities).toHaveLength(ids.length);
    for (const e of res.data!._entities) expect(e.learningRecords).toHaveLength(3);
    return h.counter.byCollection();
  }

  it('a batch of 50 representations costs the same database commands per collection as a batch of 5', async () => {
    const small = await commandsFor(many.slice(0, 5));
    const large = await commandsFor(many);
    expect(large).toEqual(small);
    // One query for all the servants' learning records, one for all the programmes.
    expect(small).toEqual({ learningrecords: 1, trainingprograms: 1 });
  });
});
