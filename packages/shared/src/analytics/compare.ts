import type { SegmentQuery, WorkforceDimension, WorkforceFilter } from './dimensions';
import type { SegmentComputer } from './segments';

const GROUPINGS: WorkforceDimension[][] = [[], ['REGION'], ['STATE_BODY'], ['STATE_BODY_LEVEL', 'CORPS'], ['CATEGORY_CODE', 'GENDER'], ['AGE_BAND']];
const FILTERS: WorkforceFilter[] = [{}, { corps: 'B' }, { gender: 'FEMALE' }, { region: 'KARAGANDA', stateBodyLevel: 'LOCAL_DISTRICT' }];

/**
 * For the subgraphs' tests: the questions about `asOf` (every dimension, with and without filters)
 * on which two computers of the same measures disagree, with both answers; [] when they agree
 * cell by cell. Today's questions are answered from memory and past days by pipelines, and the
 * two must never drift apart.
 */
export async function disagreements<M>(a: SegmentComputer<M>, b: SegmentComputer<M>, asOf: Date, current = true): Promise<Array<{ query: SegmentQuery; a: string[]; b: string[] }>> {
  const out: Array<{ query: SegmentQuery; a: string[]; b: string[] }> = [];
  for (const groupBy of GROUPINGS) {
    for (const filter of FILTERS) {
      const query: SegmentQuery = { groupBy, filter, asOf, current };
      const [left, right] = await Promise.all([a(query), b(query)]);
      const cells = (rows: typeof left) => rows.map((c) => JSON.stringify([c.values, c.headcount, c.measures])).sort();
      if (JSON.stringify(cells(left)) !== JSON.stringify(cells(right))) out.push({ query, a: cells(left), b: cells(right) });
    }
  }
  return out;
}
