import type { StateBodyLevel } from './rotation';

export type CorpsCode = 'A' | 'B';

/** One version of the category/level table (reference/category-levels.json). */
export interface CategoryTable {
  maxGrade: Record<string, number>;
  levels: Record<StateBodyLevel, Record<CorpsCode, string[]>>;
}

/** The shape every category code has, whatever the table: FAMILY-GRADE. */
const CODE = /^(A|B|C|C-O|C-R|D|D-O|E|E-R|E-G)-([1-9])$/;

export function parseCategoryCode(code: string): { family: string; grade: number } | null {
  const m = CODE.exec(code);
  return m ? { family: m[1], grade: Number(m[2]) } : null;
}

/** Corps A positions carry the A family; every other family is corps B. */
export function corpsOfCategory(code: string): CorpsCode | null {
  const parsed = parseCategoryCode(code);
  if (!parsed) return null;
  return parsed.family === 'A' ? 'A' : 'B';
}

/**
 * Why a position's category code does not fit its body's level under `table`, or null when it
 * does. The message is shown to HR users and data-quality reports.
 */
export function categoryMismatch(code: string, level: StateBodyLevel, corps: CorpsCode, table: CategoryTable): string | null {
  const parsed = parseCategoryCode(code);
  if (!parsed) return `category code ${code} is not of the form FAMILY-GRADE (e.g. C-O-4)`;
  const family = parsed.family;
  if ((family === 'A') !== (corps === 'A')) return `category ${code} is not a corps ${corps} category`;
  const allowed = table.levels[level]?.[corps] ?? [];
  if (!allowed.includes(family)) {
    return allowed.length
      ? `category ${code} does not match a ${level} body (allowed for corps ${corps}: ${allowed.map((f) => `${f}-*`).join(', ')})`
      : `a ${level} body has no corps ${corps} positions`;
  }
  const max = table.maxGrade[family];
  if (max !== undefined && parsed.grade > max) return `category ${code} is above the highest grade ${family}-${max}`;
  return null;
}

/** Every category code the table allows for a level and corps, highest grade first (seeding, UIs). */
export function categoriesFor(level: StateBodyLevel, corps: CorpsCode, table: CategoryTable): string[] {
  const codes: string[] = [];
  for (const family of table.levels[level]?.[corps] ?? []) {
    for (let g = 1; g <= (table.maxGrade[family] ?? 9); g += 1) codes.push(`${family}-${g}`);
  }
  return codes;
}
