import { sql } from 'drizzle-orm';
import type { AnySQLiteTable } from 'drizzle-orm/sqlite-core';
import type { PageQuery } from '../contract/common.js';

/**
 * Insertion order, the tie-breaker for rows created in the same millisecond (a comment and the
 * status change it came with). UUIDs are random, so ordering by id would shuffle them.
 */
export const rowid = (table: AnySQLiteTable) => sql`${table}.rowid`;

/** The web edition's paging envelope. */
export const pageOf = <T>(items: T[], total: number, query: PageQuery) => ({ items, total, limit: query.limit, offset: query.offset });
