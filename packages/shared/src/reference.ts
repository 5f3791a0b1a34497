/**
 * One version of a rule the law may change: in force from `validFrom` (inclusive) to `validTo`
 * (exclusive; null or absent = still in force), both `YYYY-MM-DD`.
 */
export interface ReferenceEntry<T> {
  validFrom: string;
  validTo?: string | null;
  value: T;
}

/** The value in force on `date` (the latest-starting entry that covers it), or undefined. */
export function effectiveAt<T>(entries: readonly ReferenceEntry<T>[], date: Date): T | undefined {
  const day = date.toISOString().slice(0, 10);
  let best: ReferenceEntry<T> | undefined;
  for (const entry of entries) {
    if (entry.validFrom > day) continue;
    if (entry.validTo != null && entry.validTo <= day) continue;
    if (!best || entry.validFrom > best.validFrom) best = entry;
  }
  return best?.value;
}
