import { describe, expect, it } from 'vitest';
import { blockedBy, createsCycle, dedupe, isStatusChange } from '../../backend/services/task-rules.js';

describe('task rules (pure)', () => {
  it('dedupe keeps the first mention, in order', () => {
    expect(dedupe(['b', 'a', 'b', 'c', 'a'])).toEqual(['b', 'a', 'c']);
  });

  it('blocked = dependencies not done; an unknown dependency blocks', () => {
    const statuses = new Map([
      ['d1', 'done'],
      ['d2', 'review'],
    ]);
    expect(blockedBy(['d1', 'd2', 'd3'], statuses)).toEqual(['d2', 'd3']);
    expect(blockedBy(['d1'], statuses)).toEqual([]);
  });

  it('cycles are found directly and through other tasks', () => {
    // a → b → c (a depends on b, b on c)
    const edges = new Map([
      ['a', ['b']],
      ['b', ['c']],
    ]);
    expect(createsCycle('c', ['a'], edges)).toBe(true); // c → a → b → c
    expect(createsCycle('b', ['a'], edges)).toBe(true);
    expect(createsCycle('c', ['d'], edges)).toBe(false);
    expect(createsCycle('a', ['c'], edges)).toBe(false); // a → c is a shortcut, not a cycle
  });

  it('re-sending the current status is not a status change', () => {
    expect(isStatusChange({ status: 'review' }, { status: 'review' })).toBe(false);
    expect(isStatusChange({ status: 'review' }, { status: 'done' })).toBe(true);
    expect(isStatusChange({ status: 'review' }, {})).toBe(false);
  });
});
