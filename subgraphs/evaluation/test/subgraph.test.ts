import catalogue from '../reference/competencies.json';
import { newId, startHarness, type Harness } from './helpers';

const NOW = new Date('2026-11-24T09:00:00Z');
const day = (iso: string) => new Date(`${iso}T00:00:00Z`);

const SERVANT_FIELDS = `
  id
  evaluations { period year quarter score band }
  latestAnnualBand
  assessmentRequired
  assessments { assessedOn result }
  competencies { level assessedOn competency { code name cluster } }
`;
const ENTITIES = `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on CivilServant { ${SERVANT_FIELDS} } } }`;

interface ServantData {
  id: string;
  evaluations: { period: string; year: number; quarter: number | null; score: number; band: string }[];
  latestAnnualBand: string | null;
  assessmentRequired: boolean | null;
  assessments: { assessedOn: string; result: string }[];
  competencies: { level: number; assessedOn: string; competency: { code: string; name: string; cluster: string } }[];
}

let h: Harness;
const weak = newId();
const star = newId();
const blank = newId();

beforeAll(async () => {
  h = await startHarness(NOW);
  const { QuarterlyEvaluation, Assessment, Competency, CompetencyAssessment } = h.subgraph.models;
  await Competency.insertMany(catalogue.competencies);
  const q = (servantId: string, year: number, quarter: number, score: number) => ({
    servantId,
    year,
    quarter,
    score,
    recordedAt: day(`${year}-${String(quarter * 3 - 1).padStart(2, '0')}-15`),
  });
  await QuarterlyEvaluation.insertMany([
    q(weak, 2025, 1, 60),
    q(weak, 2025, 2, 62),
    q(weak, 2025, 3, 64),
    q(weak, 2025, 4, 66),
    q(weak, 2026, 1, 80),
    q(weak, 2026, 2, 85),
    q(star, 2025, 1, 95),
  ]);
  await Assessment.insertMany([
    { servantId: weak, assessedOn: day('2022-05-01'), result: 'PASSED' },
    { servantId: weak, assessedOn: day('2026-03-01'), result: 'REASSESSMENT' },
  ]);
  await CompetencyAssessment.insertMany([
    { servantId: weak, competencyCode: 'PROF-01', level: 2, assessedOn: day('2024-02-01') },
    { servantId: weak, competencyCode: 'PROF-01', level: 4, assessedOn: day('2025-02-01') },
    { servantId: weak, competencyCode: 'LEAD-01', level: 3, assessedOn: day('2025-03-01') },
  ]);
});

afterAll(() => h?.close());

async function entities(ids: string[]): Promise<(ServantData | null)[]> {
  const res = await h.gql<{ _entities: (ServantData | null)[] }>(ENTITIES, {
    reps: ids.map((id) => ({ __typename: 'CivilServant', id })),
  });
  expect(res.errors).toBeUndefined();
  return res.data!._entities;
}

describe('CivilServant entity', () => {
  it('derives annual evaluations, bands and the assessment requirement from the quarters', async () => {
    const [w, s, b] = await entities([weak, star, blank]);
    expect(w!.evaluations).toEqual([
      { period: 'QUARTER', year: 2026, quarter: 2, score: 85, band: 'EFFECTIVE' },
      { period: 'QUARTER', year: 2026, quarter: 1, score: 80, band: 'EFFECTIVE' },
      { period: 'ANNUAL', year: 2025, quarter: null, score: 63, band: 'SATISFACTORY' },
      { period: 'QUARTER', year: 2025, quarter: 4, score: 66, band: 'SATISFACTORY' },
      { period: 'QUARTER', year: 2025, quarter: 3, score: 64, band: 'SATISFACTORY' },
      { period: 'QUARTER', year: 2025, quarter: 2, score: 62, band: 'SATISFACTORY' },
      { period: 'QUARTER', year: 2025, quarter: 1, score: 60, band: 'SATISFACTORY' },
    ]);
    // 2026 is not over and has two quarters: its annual evaluation does not exist yet.
    expect(w!.latestAnnualBand).toBe('SATISFACTORY');
    expect(w!.assessmentRequired).toBe(true);
    expect(w!.assessments).toEqual([
      { assessedOn: '2026-03-01', result: 'REASSESSMENT' },
      { assessedOn: '2022-05-01', result: 'PASSED' },
    ]);
    expect(w!.competencies.map((c) => [c.competency.code, c.level, c.assessedOn])).toEqual([
      ['LEAD-01', 3, '2025-03-01'],
      ['PROF-01', 4, '2025-02-01'],
    ]);
    expect(w!.competencies[0].competency).toEqual({ code: 'LEAD-01', name: 'Strategic thinking', cluster: 'management' });

    // One quarter of an ended year is enough for an annual evaluation.
    expect(s!.evaluations[0]).toEqual({ period: 'ANNUAL', year: 2025, quarter: null, score: 95, band: 'OUTSTANDING' });
    expect(s!.latestAnnualBand).toBe('OUTSTANDING');
    expect(s!.assessmentRequired).toBe(false);

    expect(b).toEqual({
      id: blank,
      evaluations: [],
      latestAnnualBand: null,
      assessmentRequired: null,
      assessments: [],
      competencies: [],
    });
  });

  it('filters evaluations by year', async () => {
    const res = await h.gql<{ _entities: { evaluations: { period: string; quarter: number | null }[] }[] }>(
      `query ($reps: [_Any!]!, $year: Int) { _entities(representations: $reps) { ... on CivilServant { evaluations(year: $year) { period quarter } } } }`,
      { reps: [{ __typename: 'CivilServant', id: weak }], year: 2026 },
    );
    expect(res.data!._entities[0].evaluations).toEqual([
      { period: 'QUARTER', quarter: 2 },
      { period: 'QUARTER', quarter: 1 },
    ]);
  });

  it('resolves a representation whose id is not an ObjectId to null', async () => {
    const res = await entities(['not-an-id', weak]);
    expect(res[0]).toBeNull();
    expect(res[1]!.id).toBe(weak);
  });
});

describe('entity batching', () => {
  const ids = Array.from({ length: 50 }, newId);

  beforeAll(async () => {
    const { QuarterlyEvaluation, Assessment, CompetencyAssessment } = h.subgraph.models;
    await QuarterlyEvaluation.insertMany(
      ids.flatMap((servantId, i) =>
        [1, 2, 3, 4].map((quarter) => ({ servantId, year: 2025, quarter, score: 55 + (i % 40), recordedAt: NOW })),
      ),
    );
    await Assessment.insertMany(ids.map((servantId) => ({ servantId, assessedOn: day('2026-02-02'), result: 'PASSED' })));
    await CompetencyAssessment.insertMany(
      ids.map((servantId, i) => ({ servantId, competencyCode: catalogue.competencies[i % 20].code, level: 3, assessedOn: day('2025-05-05') })),
    );
  });

  async function commandsFor(batch: string[]) {
    h.counter.reset();
    const res = await entities(batch);
    expect(res.every((s) => s !== null && s.evaluations.length === 5 && s.competencies.length === 1)).toBe(true);
    return h.counter.byCollection();
  }

  it('costs the same database commands per collection for 5 and for 50 representations', async () => {
    const five = await commandsFor(ids.slice(0, 5));
    const fifty = await commandsFor(ids);
    expect(fifty).toEqual(five);
    // Every collection the fields read was read exactly once.
    expect(five).toEqual({ quarterlyevaluations: 1, assessments: 1, competencyassessments: 1, competencies: 1 });
  });

  it('resolves Competency references in one query', async () => {
    h.counter.reset();
    const res = await h.gql<{ _entities: ({ code: string; name: string } | null)[] }>(
      `query ($reps: [_Any!]!) { _entities(representations: $reps) { ... on Competency { code name } } }`,
      { reps: [{ __typename: 'Competency', code: 'PERS-01' }, { __typename: 'Competency', code: 'NOPE-99' }, { __typename: 'Competency', code: 'LEAD-02' }] },
    );
    expect(res.data!._entities).toEqual([{ code: 'PERS-01', name: 'Integrity' }, null, { code: 'LEAD-02', name: 'Decision making' }]);
    expect(h.counter.byCollection()).toEqual({ competencies: 1 });
  });
});

describe('Query.competencies', () => {
  it('returns the catalogue ordered by code', async () => {
    const res = await h.gql<{ competencies: { code: string; cluster: string; description: string }[] }>(
      '{ competencies { code name cluster description } }',
    );
    const codes = res.data!.competencies.map((c) => c.code);
    expect(codes).toHaveLength(catalogue.competencies.length);
    expect(codes).toEqual([...codes].sort());
    expect(new Set(res.data!.competencies.map((c) => c.cluster))).toEqual(new Set(['management', 'personal', 'professional']));
  });
});
