import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ROUTES } from '../../backend/contract/routes.js';
import { boardSnapshotPath, USERS_ME_PATH } from '../../renderer/src/model/api/early.js';
import { acceptsUnchanged } from '../../renderer/src/model/api/validate.js';

/*
 * The renderer's quick check of API answers. It may say "not sure" (false) for anything, but when
 * it says true, zod must accept the same value and return it unchanged: that is what lets the
 * client skip zod's generic walk without skipping validation.
 */

const snapshotSchema = ROUTES.boardSnapshot.response;
const uuid = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const T0 = '2026-11-21T12:00:00.000Z';

const task = (i: number, over: Record<string, unknown> = {}) => ({
  id: uuid(1000 + i),
  board_id: uuid(1),
  title: `Task ${i}`,
  description: i % 2 ? null : 'Some words',
  status: ['inbox', 'in_progress', 'review', 'done'][i % 4],
  priority: 'medium',
  due_at: i % 3 ? null : T0,
  in_progress_at: null,
  previous_in_progress_at: null,
  created_by_user_id: null,
  assigned_agent_id: i % 2 ? uuid(50) : null,
  auto_created: false,
  auto_reason: null,
  depends_on_task_ids: i % 5 ? [] : [uuid(1000)],
  blocked_by_task_ids: [],
  is_blocked: false,
  tag_ids: [uuid(7)],
  tags: [{ id: uuid(7), name: 'ops', slug: 'ops', color: '#ff0000' }],
  custom_field_values: {},
  created_at: T0,
  updated_at: '2026-11-21T12:00:01+02:00',
  ...over,
});

const snapshot = () => ({
  board: {
    id: uuid(1),
    name: 'Board',
    slug: 'board',
    description: 'A board',
    gateway_id: uuid(2),
    board_type: 'goal',
    objective: null,
    success_metrics: null,
    target_date: null,
    goal_confirmed: false,
    goal_source: null,
    require_approval_for_done: true,
    require_review_before_done: false,
    comment_required_for_review: false,
    block_status_changes_with_pending_approval: false,
    only_lead_can_change_status: false,
    max_agents: 5,
    organization_id: uuid(3),
    board_group_id: null,
    created_at: T0,
    updated_at: T0,
  },
  tasks: Array.from({ length: 12 }, (_, i) => task(i)),
  agents: [],
  approvals: [],
  chat_messages: [],
  pending_approvals_count: 0,
});

/** The property every answer must have: true only when zod accepts it and returns an equal value. */
function expectSound(schema: z.ZodType, value: unknown): boolean {
  const quick = acceptsUnchanged(schema, value);
  if (quick) {
    const parsed = schema.safeParse(value);
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
    expect(parsed.data).toStrictEqual(value);
  }
  return quick;
}

describe('acceptsUnchanged (the client’s quick contract check)', () => {
  it('accepts a valid board snapshot, as zod does', () => {
    const snap = snapshot();
    // The fixture must be what the contract says, or the test proves nothing.
    expect(snapshotSchema.safeParse(snap).error?.issues ?? []).toEqual([]);
    expect(expectSound(snapshotSchema, snap)).toBe(true);
  });

  it.each([
    ['a malformed uuid', (s: ReturnType<typeof snapshot>) => Object.assign(s.tasks[3]!, { id: 'not-a-uuid' })],
    ['a malformed uuid inside a list', (s) => s.tasks[5]!.depends_on_task_ids.push('123')],
    ['a timestamp that is not ISO 8601', (s) => Object.assign(s.tasks[0]!, { created_at: '21/11/2026' })],
    ['a timestamp with an impossible date', (s) => Object.assign(s.tasks[0]!, { updated_at: '2026-02-30T00:00:00Z' })],
    ['an unknown status', (s) => Object.assign(s.tasks[1]!, { status: 'archived' })],
    ['a number for a string', (s) => Object.assign(s.tasks[2]!, { title: 42 })],
    ['null where null is not allowed', (s) => Object.assign(s.tasks[2]!, { title: null })],
    ['a missing required field', (s) => delete (s.tasks[4] as Partial<ReturnType<typeof task>>).is_blocked],
    ['a string for a boolean', (s) => Object.assign(s.board, { require_approval_for_done: 'yes' })],
    ['a fraction for an integer', (s) => Object.assign(s, { pending_approvals_count: 1.5 })],
    ['an object for a list', (s) => Object.assign(s, { tasks: {} })],
    ['a list for a record', (s) => Object.assign(s.tasks[6]!, { custom_field_values: [] })],
    ['a bad nested tag', (s) => Object.assign(s.tasks[7]!.tags[0]!, { id: 7 })],
    ['not an object at all', (s) => Object.assign(s, { board: 'Board' })],
  ] satisfies [string, (s: ReturnType<typeof snapshot>) => unknown][])('refuses %s (and so does zod)', (_name, spoil) => {
    const snap = snapshot();
    spoil(snap);
    expect(snapshotSchema.safeParse(snap).success).toBe(false);
    expect(acceptsUnchanged(snapshotSchema, snap)).toBe(false);
  });

  it('leaves to zod what zod would change: unknown keys (stripped), defaults, transforms, catch-alls', () => {
    const extra = snapshot();
    Object.assign(extra.tasks[0]!, { secret_field: 'x' });
    expect(snapshotSchema.safeParse(extra).success).toBe(true); // zod strips it…
    expect(acceptsUnchanged(snapshotSchema, extra)).toBe(false); // …so the client must parse, not pass it on

    expect(acceptsUnchanged(z.object({ a: z.string().default('x') }), {})).toBe(false);
    expect(acceptsUnchanged(z.object({ a: z.string().trim() }), { a: ' padded ' })).toBe(false);
    expect(
      acceptsUnchanged(
        z.string().transform((s) => s.length),
        'abc',
      ),
    ).toBe(false);
    expect(acceptsUnchanged(z.strictObject({ a: z.string() }), { a: 'x', b: 1 })).toBe(false);
    expect(acceptsUnchanged(z.object({ a: z.unknown() }), {})).toBe(false);
    // A default inside .optional(): zod fills the absent key in, so it is not "unchanged".
    for (const a of [
      z.string().default('x').optional(),
      z.string().prefault('x').optional(),
      z.string().nullable().default(null).optional(),
      z.lazy(() => z.string().default('q')).optional(),
    ]) {
      const schema = z.object({ a });
      expect(schema.parse({})).toHaveProperty('a');
      expect(acceptsUnchanged(schema, {})).toBe(false);
    }
    // A plain optional key stays absent in zod's answer too.
    expect(acceptsUnchanged(z.object({ a: z.string().optional() }), {})).toBe(true);
  });

  it('accepts what zod returns as it is: optional keys left out, refinements that pass, records, unions', () => {
    const schema = z.object({
      a: z.string().optional(),
      b: z.number().int().min(0),
      c: z.record(z.string(), z.unknown()),
      d: z.union([z.literal('x'), z.number()]),
      e: z.array(z.object({ f: z.email().nullable() })),
      g: z.string().refine((s) => s.startsWith('ok')),
    });
    expect(expectSound(schema, { b: 2, c: { k: [1] }, d: 'x', e: [{ f: 'a@b.co' }, { f: null }], g: 'ok!' })).toBe(true);
    expect(expectSound(schema, { b: -1, c: {}, d: 'x', e: [], g: 'ok' })).toBe(false);
    expect(expectSound(schema, { b: 1, c: {}, d: 'y', e: [], g: 'ok' })).toBe(false);
    expect(expectSound(schema, { b: 1, c: {}, d: 1, e: [{ f: 'nope' }], g: 'ok' })).toBe(false);
    expect(expectSound(schema, { b: 1, c: {}, d: 1, e: [], g: 'no' })).toBe(false);
  });

  it('terminates on a schema that refers to itself', () => {
    const Tree: z.ZodType<{ name: string; children: unknown[] }> = z.object({
      name: z.string(),
      get children() {
        return z.array(Tree);
      },
    });
    const tree = { name: 'root', children: [{ name: 'leaf', children: [] }] };
    expectSound(Tree, tree);
    expect(acceptsUnchanged(Tree, { name: 'root', children: [{ name: 1, children: [] }] })).toBe(false);
  });

  it('never says yes to something zod refuses or changes (random damage to a snapshot)', () => {
    // A small deterministic PRNG: the same 600 cases on every run.
    let seed = 42;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return Math.floor((seed / 2 ** 31) * n); // the high bits: an LCG's low bits repeat quickly
    };
    const replacements: unknown[] = [null, '', 'x', 0, 1.5, -1, true, [], {}, uuid(9), T0, 'review', [uuid(3)], { id: uuid(4) }];
    let accepted = 0;
    for (let n = 0; n < 600; n++) {
      const snap = snapshot() as unknown as Record<string, unknown>;
      // Walk to a random container, then replace, delete or add one of its entries.
      let node: Record<string, unknown> = snap;
      for (let depth = rand(4); depth > 0; depth--) {
        const children = Object.values(node).filter((v): v is Record<string, unknown> => typeof v === 'object' && v !== null);
        if (children.length === 0) break;
        node = children[rand(children.length)]!;
      }
      const keys = Object.keys(node);
      const key = Array.isArray(node) ? String(rand(node.length + 1)) : keys.length ? keys[rand(keys.length)]! : 'k';
      const action = rand(6);
      const replacement = replacements[rand(replacements.length)];
      // Only what JSON can say: a list loses or gains an element, it never gets a named key or a hole.
      if (Array.isArray(node)) {
        if (action === 0) node.splice(Number(key), 1);
        else if (action === 1) node.push(replacement);
        else node[Number(key)] = replacement;
      } else if (action === 0) delete node[key];
      else if (action === 1) node[`extra_${key}`] = 'x';
      else node[key] = replacement;
      if (expectSound(snapshotSchema, snap)) accepted++;
    }
    // Some damage is harmless (a null description, a review status): those are accepted, soundly.
    expect(accepted).toBeGreaterThan(0);
    expect(accepted).toBeLessThan(600);
  });
});

describe('the early reads', () => {
  it('ask for the paths the route table gives usersMe and boardSnapshot', () => {
    expect(USERS_ME_PATH).toBe(ROUTES.usersMe.path);
    expect(ROUTES.usersMe.method).toBe('get');
    const id = uuid(77);
    expect(boardSnapshotPath(id)).toBe(ROUTES.boardSnapshot.path.replace('{board_id}', id));
    expect(ROUTES.boardSnapshot.method).toBe('get');
  });
});
