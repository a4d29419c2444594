import type { z } from 'zod';

/** Rounds of stripping: each object level that had unknown keys can reveal the next only once. */
const MAX_ROUNDS = 8;

export interface LenientParse {
  result: ReturnType<z.ZodType['safeParse']>;
  /** Dotted paths of the keys that were dropped (`priority_hint`, `heartbeat_config.interval_seconds`). */
  ignored: string[];
}

/**
 * Parse a request body the way the web edition (pydantic, `extra="ignore"`) does: keys the contract
 * does not know are dropped, not refused. The contract's objects stay strict so the OpenAPI document
 * says exactly what is read; this is the one place the leniency lives, for every route. Everything a
 * trust rule guards is a known field (a heartbeat's `status`, an approval's `status` and `agent_id`,
 * memory `source`, a task's `created_by_user_id`), refused by its schema or service as before.
 */
export function parseLenientBody(schema: z.ZodType, value: unknown): LenientParse {
  let current = value;
  const ignored: string[] = [];
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const result = schema.safeParse(current);
    if (result.success) return { result, ignored };
    const unknown = unknownKeyIssues(result.error.issues, []);
    if (unknown.length === 0) return { result, ignored };
    if (current === value) current = structuredClone(value);
    for (const issue of unknown) {
      const holder = at(current, issue.path);
      if (!holder) return { result, ignored };
      for (const key of issue.keys) {
        delete holder[key];
        ignored.push([...issue.path, key].join('.'));
      }
    }
  }
  return { result: schema.safeParse(current), ignored };
}

/**
 * The unknown-key issues, with paths from the root. Inside a union (`{question, options}` or
 * `{status: "complete", …}`), a branch whose only complaints are unknown keys is the one meant.
 */
function unknownKeyIssues(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[]): z.core.$ZodIssueUnrecognizedKeys[] {
  const found: z.core.$ZodIssueUnrecognizedKeys[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') found.push({ ...issue, path });
    else if (issue.code === 'invalid_union') {
      const branch = issue.errors.find((errors) => errors.length > 0 && errors.every((e) => e.code === 'unrecognized_keys'));
      if (branch) found.push(...unknownKeyIssues(branch, path));
      else {
        // No branch is clean: drop only the keys every branch calls unknown (never one a branch reads).
        const perBranch = issue.errors.map(
          (errors) => new Set(errors.flatMap((e) => (e.code === 'unrecognized_keys' && e.path.length === 0 ? e.keys : []))),
        );
        const common = [...(perBranch[0] ?? [])].filter((key) => perBranch.every((keys) => keys.has(key)));
        if (common.length > 0) found.push({ code: 'unrecognized_keys', keys: common, path, message: 'unknown keys', input: undefined });
      }
    }
  }
  return found;
}

function at(root: unknown, path: readonly PropertyKey[]): Record<string, unknown> | undefined {
  let node = root;
  for (const step of path) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[step];
  }
  return node !== null && typeof node === 'object' && !Array.isArray(node) ? (node as Record<string, unknown>) : undefined;
}
