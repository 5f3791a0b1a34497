import { GraphQLError } from 'graphql';
import { decodeSegmentKey, encodeSegmentKey, WORKFORCE_DIMENSIONS, type QuestionMemo, type SegmentQuery, type SegmentValues } from '../src';

const TODAY = new Date('2026-11-25T10:00:00Z');
const day = (iso: string) => new Date(`${iso}T00:00:00Z`);
const query = (q: Partial<SegmentQuery>): SegmentQuery => ({ groupBy: ['REGION'], filter: {}, asOf: day('2026-11-25'), current: true, ...q });
const nulls = (): SegmentValues => Object.fromEntries(WORKFORCE_DIMENSIONS.map((d) => [d, null]));

function refusal(key: unknown): string | undefined {
  try {
    decodeSegmentKey(key, TODAY);
  } catch (err) {
    return err instanceof GraphQLError ? String(err.extensions.code) : 'not a GraphQL error';
  }
  return undefined;
}

describe('workforce segment keys', () => {
  it('give back the question and the values they were made from', () => {
    const asked = query({
      groupBy: ['STATE_BODY', 'CATEGORY_CODE', 'AGE_BAND'],
      filter: { region: 'KARAGANDA', corps: 'B', categoryCode: 'C-O-4', stateBodyId: '5e0be1001000000000000004' },
      asOf: day('2024-02-29'),
      current: false,
    });
    const values = { STATE_BODY: '5e0be1001000000000000004', CATEGORY_CODE: 'C-R-2', AGE_BAND: null };
    const decoded = decodeSegmentKey(encodeSegmentKey(asked, values), TODAY);
    expect(decoded.query).toEqual(asked);
    expect(decoded.values).toEqual({ ...nulls(), ...values });
  });

  it('answer for today as today (the current placement, not the history)', () => {
    const decoded = decodeSegmentKey(encodeSegmentKey(query({}), { REGION: 'ASTANA' }), TODAY);
    expect(decoded.query.current).toBe(true);
    expect(decoded.values.REGION).toBe('ASTANA');
  });

  it('keep values with separators, escapes and non-Latin letters apart', () => {
    const awkward = ['a;b', 'x,y=z', '~', '%41', 'Ақмола ~ (1)', ''];
    const asked = query({ groupBy: ['REGION', 'CORPS', 'GENDER', 'AGE_BAND', 'CATEGORY_CODE', 'STATE_BODY_LEVEL'] });
    const values = Object.fromEntries(asked.groupBy.map((d, i) => [d, awkward[i]]));
    expect(decodeSegmentKey(encodeSegmentKey(asked, values), TODAY).values).toEqual({ ...nulls(), ...values });
  });

  it('work for a question grouped by nothing (one segment)', () => {
    const asked = query({ groupBy: [], filter: { gender: 'FEMALE' } });
    const decoded = decodeSegmentKey(encodeSegmentKey(asked, {}), TODAY);
    expect(decoded.query.groupBy).toEqual([]);
    expect(decoded.query.filter).toEqual({ gender: 'FEMALE' });
  });

  it('are short: a key by state body is under 60 characters', () => {
    const key = encodeSegmentKey(query({ groupBy: ['STATE_BODY'], filter: { stateBodyLevel: 'CENTRAL' } }), { STATE_BODY: '5e0be1001000000000000004' });
    expect(key.length).toBeLessThan(60);
  });

  it('check the question of a batch once, sharing it between its keys', () => {
    const asked = query({});
    const memo: QuestionMemo = new Map();
    const a = decodeSegmentKey(encodeSegmentKey(asked, { REGION: 'ASTANA' }), TODAY, memo);
    const b = decodeSegmentKey(encodeSegmentKey(asked, { REGION: 'ABAI' }), TODAY, memo);
    expect(a.query).toBe(b.query);
    expect(memo.size).toBe(1);
  });

  it.each([
    ['not text', 42],
    ['no structure', 'garbage!'],
    ['the old base64 form', Buffer.from(JSON.stringify({ v: 1, asOf: '2026-01-01', by: ['REGION'], f: {}, c: ['ASTANA'] })).toString('base64url')],
    ['another version', 'w9;2026-01-01;r;;ASTANA'],
    ['an unknown dimension', 'w2;2026-01-01;z;;42'],
    ['a dimension twice', 'w2;2026-01-01;r,r;;ASTANA,ABAI'],
    ['an unknown filter field', 'w2;2026-01-01;r;q=1;ASTANA'],
    ['a filter field twice', 'w2;2026-01-01;r;c=A,c=B;ASTANA'],
    ['a filter value out of range', 'w2;2026-01-01;r;r=ATLANTIS;ASTANA'],
    ['a filter without a value', 'w2;2026-01-01;r;c;ASTANA'],
    ['a bad date', 'w2;2026-13-01;r;;ASTANA'],
    ['a future date', 'w2;2027-01-01;r;;ASTANA'],
    ['fewer values than dimensions', 'w2;2026-01-01;r,c;;ASTANA'],
    ['more values than dimensions', 'w2;2026-01-01;r;;ASTANA,B'],
    ['a broken escape', 'w2;2026-01-01;r;;%E0%A4%A'],
    ['a value over 100 characters', `w2;2026-01-01;r;;${'x'.repeat(101)}`],
    ['over 2,000 characters', `w2;2026-01-01;r;;${'%41'.repeat(700)}`],
  ])('refuse %s as BAD_USER_INPUT', (_label, key) => {
    expect(refusal(key)).toBe('BAD_USER_INPUT');
  });
});
