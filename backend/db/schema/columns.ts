import { integer } from 'drizzle-orm/sqlite-core';

/** Column helpers every table shares: timestamps are integer milliseconds (UTC), booleans 0/1. */
export const ts = (name: string) => integer(name, { mode: 'timestamp_ms' });
export const created = () => ts('created_at').notNull();
export const updated = () => ts('updated_at').notNull();
export const bool = (name: string) => integer(name, { mode: 'boolean' });
