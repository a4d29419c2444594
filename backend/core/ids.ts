/** Row ids: random UUIDs (insertion order is `rowid`, see paging.ts). */
export const newId = (): string => crypto.randomUUID();
