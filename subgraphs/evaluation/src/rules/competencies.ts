export interface CompetencyLevel {
  competencyCode: string;
  level: number;
  assessedOn: Date;
}

/**
 * A servant's latest assessed level of each competency, ordered by competency code. On two
 * assessments of the same day the higher level wins, so the answer never depends on storage order.
 */
export function latestPerCompetency<T extends CompetencyLevel>(rows: readonly T[]): T[] {
  const latest = new Map<string, T>();
  for (const row of rows) {
    const seen = latest.get(row.competencyCode);
    const t = new Date(row.assessedOn).getTime();
    if (!seen) {
      latest.set(row.competencyCode, row);
      continue;
    }
    const seenT = new Date(seen.assessedOn).getTime();
    if (t > seenT || (t === seenT && row.level > seen.level)) latest.set(row.competencyCode, row);
  }
  return [...latest.values()].sort((a, b) => (a.competencyCode < b.competencyCode ? -1 : a.competencyCode > b.competencyCode ? 1 : 0));
}
