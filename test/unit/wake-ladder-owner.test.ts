import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/*
 * Issue #15 §2: one module writes the wake ladder's columns (backend/core/wake-ladder.ts). This reads
 * every backend source file and lists the writes of those columns anywhere else: drizzle `.set({…})`
 * objects naming one, and raw `UPDATE agents SET …` statements naming one.
 */
const OWNER = 'backend/core/wake-ladder.ts';
const COLUMNS =
  /\b(wakeAttempts|checkinDeadlineAt|reconcileAt|lastWakeSentAt)\s*:|\b(wake_attempts|checkin_deadline_at|reconcile_at|last_wake_sent_at)\s*=/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'migrations' ? [] : sources(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

/** The argument of every `.set(` call, its parentheses balanced. */
function setArguments(text: string): string[] {
  const found: string[] = [];
  for (let i = text.indexOf('.set('); i >= 0; i = text.indexOf('.set(', i + 1)) {
    let depth = 0;
    let j = i + 4;
    for (; j < text.length; j++) {
      if (text[j] === '(') depth++;
      else if (text[j] === ')' && --depth === 0) break;
    }
    found.push(text.slice(i + 5, j));
  }
  return found;
}

function ladderWriters(root: string): string[] {
  return sources(join(root, 'backend'))
    .map((file) => relative(root, file))
    .filter((file) => file !== OWNER && !file.startsWith('backend/db/'))
    .filter((file) => {
      const text = readFileSync(join(root, file), 'utf8');
      const rawUpdates = text.match(/UPDATE\s+agents\s+SET[^;`'"]*/gi) ?? [];
      return [...setArguments(text), ...rawUpdates].some((write) => COLUMNS.test(write));
    });
}

describe('the wake ladder has one writer', () => {
  it('no backend file but core/wake-ladder.ts writes wake_attempts, checkin_deadline_at, reconcile_at or last_wake_sent_at', () => {
    const writers = ladderWriters(process.cwd());
    expect(writers).toEqual([]);
  });

  it('the owner itself is found by the same scan (the scan sees a write when there is one)', () => {
    const text = readFileSync(join(process.cwd(), OWNER), 'utf8');
    expect(setArguments(text).filter((write) => COLUMNS.test(write)).length).toBeGreaterThanOrEqual(6);
  });
});
