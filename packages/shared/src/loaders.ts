import DataLoader from 'dataloader';

/**
 * A per-request loader of entities by key: one batch call for all the keys asked in the same tick,
 * results re-ordered to the keys, a missing key answered with null. Keys are compared as strings,
 * so an ObjectId and its hex string are the same key.
 */
export function createEntityLoader<D>(
  fetch: (keys: readonly string[]) => Promise<D[]>,
  keyOf: (doc: D) => unknown,
  options: DataLoader.Options<string, D | null> = {},
): DataLoader<string, D | null> {
  return new DataLoader<string, D | null>(async (keys) => {
    const docs = await fetch(keys);
    const byKey = new Map<string, D>();
    for (const doc of docs) byKey.set(String(keyOf(doc)), doc);
    return keys.map((k) => byKey.get(String(k)) ?? null);
  }, options);
}

/**
 * A per-request loader of every document of a key (a servant's evaluations, say), in the order
 * the fetch returned them; [] for a key with none.
 */
export function createGroupLoader<D>(
  fetch: (keys: readonly string[]) => Promise<D[]>,
  groupKeyOf: (doc: D) => unknown,
  options: DataLoader.Options<string, D[]> = {},
): DataLoader<string, D[]> {
  return new DataLoader<string, D[]>(async (keys) => {
    const groups = new Map<string, D[]>(keys.map((k) => [String(k), []]));
    for (const doc of await fetch(keys)) groups.get(String(groupKeyOf(doc)))?.push(doc);
    return keys.map((k) => groups.get(String(k)) ?? []);
  }, options);
}
