import { asc, count, eq, sql } from 'drizzle-orm';
import type { PageQuery } from '../contract/common.js';
import type { TagRead } from '../contract/tasks.js';
import { tags } from '../db/schema.js';
import { conflict, notFound } from '../errors.js';
import type { ServiceContext } from '../core/context.js';
import { newId } from '../core/ids.js';
import { slugify, toTagRead } from './serialize.js';
import { pageOf } from '../core/paging.js';

export function createTagService(ctx: ServiceContext) {
  const { db } = ctx;
  return {
    list(query: PageQuery) {
      const total = db.select({ n: count() }).from(tags).get()?.n ?? 0;
      const rows = db
        .select()
        .from(tags)
        .orderBy(asc(sql`lower(${tags.name})`))
        .limit(query.limit)
        .offset(query.offset)
        .all();
      return pageOf(rows.map(toTagRead), total, query);
    },
    refs() {
      return db
        .select({ id: tags.id, name: tags.name, slug: tags.slug, color: tags.color })
        .from(tags)
        .orderBy(asc(sql`lower(${tags.name})`))
        .all();
    },
    create(input: { name: string; slug?: string | undefined; color: string; description?: string | null | undefined }): TagRead {
      const slug = input.slug ?? slugify(input.name);
      if (db.select({ id: tags.id }).from(tags).where(eq(tags.slug, slug)).get())
        throw conflict(`A tag with slug '${slug}' already exists.`);
      const now = ctx.now();
      const row = db
        .insert(tags)
        .values({
          id: newId(),
          name: input.name,
          slug,
          color: input.color,
          description: input.description ?? null,
          createdAt: now,
          updatedAt: now,
        })
        .returning()
        .get();
      return toTagRead(row);
    },
    delete(id: string): void {
      if (db.delete(tags).where(eq(tags.id, id)).run().changes === 0) throw notFound('Tag');
    },
  };
}
