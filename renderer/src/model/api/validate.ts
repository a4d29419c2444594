import type { z } from 'zod';

/**
 * Validation of API answers against the contract's own zod schemas, fast enough for a board of
 * thousands of tasks in a page whose CSP forbids `eval` (so zod cannot compile its object parsers
 * and walks every object generically: ≈ 130 ms cold for 2,000 tasks).
 *
 * `acceptsUnchanged(schema, value)` walks objects, arrays and nullables itself and hands every other
 * node (strings with their formats — uuid, ISO datetime —, numbers, enums, records, unions, …) to
 * that node's own zod parser, so each value is checked by exactly the rules zod would apply. It
 * answers true only when zod would accept the value *and* return it unchanged; whenever it cannot
 * be sure (a key the schema does not know, a missing key that is not optional, a default, a
 * transform, an object with a catch-all) it answers false, and the caller parses with zod as
 * before, which throws zod's own error for bad input. It never answers true for a value zod rejects.
 */
export function acceptsUnchanged(schema: z.ZodType, value: unknown): boolean {
  return compile(schema as unknown as Node)(value);
}

type Check = (v: unknown) => boolean;
interface Def {
  type: string;
  checks?: unknown[];
  coerce?: boolean;
  format?: string;
  when?: unknown;
  pattern?: unknown;
  shape?: Record<string, Node>;
  catchall?: Node;
  element?: Node;
  innerType?: Node;
}
interface Payload {
  value: unknown;
  issues: unknown[];
}
interface Node {
  _zod: {
    def: Def;
    traits: Set<string>;
    run(payload: Payload, ctx: { async: false }): Payload | Promise<Payload>;
    check?: (payload: Payload) => unknown;
    values?: unknown;
    /** zod's own optionality: a key is left absent only when both are "optional" (a default fills it in). */
    optin?: 'optional';
    optout?: 'optional';
  };
}

const compiled = new WeakMap<Node, Check>();
const SYNC = { async: false } as const;
const hasOwn = Object.prototype.hasOwnProperty;
const PATTERN_ONLY = ['$ZodUUID', '$ZodGUID', '$ZodISODateTime'];

function compile(node: Node): Check {
  const known = compiled.get(node);
  if (known) return known;
  // Registered before the children are compiled, so a schema that refers to itself terminates.
  let check: Check = () => false;
  compiled.set(node, (v) => check(v));
  check = build(node);
  compiled.set(node, check);
  return check;
}

/**
 * zod's own parser for this node: accepted, synchronously, and not changed (no transform, no
 * default). Containers zod copies (a record) count as unchanged when the copy is equal to the input.
 */
function byZod(node: Node): Check {
  return (v) => {
    try {
      const out = node._zod.run({ value: v, issues: [] }, SYNC);
      return !(out instanceof Promise) && out.issues.length === 0 && sameJson(out.value, v);
    } catch {
      return false;
    }
  };
}

function build(node: Node): Check {
  const def = node._zod.def;
  // Checks (refinements, formats, trims, lengths) are zod's business: such a node goes to zod whole.
  const plain = !def.checks?.length && !def.coerce && !node._zod.traits.has('$ZodCheck');
  switch (def.type) {
    case 'object': {
      if (def.catchall || !plain || !def.shape) return byZod(node);
      const keys = Object.keys(def.shape);
      const checks = keys.map((k) => compile((def.shape as Record<string, Node>)[k] as Node));
      // As zod decides it: absent stays absent only when the key is optional in and out (not when a
      // default inside `.optional()` would fill it in).
      const optional = keys.map((k) => {
        const z = (def.shape as Record<string, Node>)[k]?._zod;
        return z?.optin === 'optional' && z.optout === 'optional';
      });
      const allowed = new Set(keys);
      return (v) => {
        if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
        const o = v as Record<string, unknown>;
        for (const k in o) if (!allowed.has(k)) return false;
        for (let i = 0; i < keys.length; i++) {
          const k = keys[i] as string;
          const x = o[k];
          if (x === undefined) {
            // Absent and optional: zod leaves it absent too. Anything else is zod's call.
            if (optional[i] && !hasOwn.call(o, k)) continue;
            return false;
          }
          if (!(checks[i] as Check)(x)) return false;
        }
        return true;
      };
    }
    case 'array': {
      if (!plain || !def.element) return byZod(node);
      const element = compile(def.element);
      return (v) => {
        if (!Array.isArray(v)) return false;
        for (let i = 0; i < v.length; i++) if (!element(v[i])) return false;
        return true;
      };
    }
    case 'nullable': {
      if (!plain || !def.innerType) return byZod(node);
      const inner = compile(def.innerType);
      return (v) => v === null || inner(v);
    }
    case 'optional': {
      if (!plain || !def.innerType) return byZod(node);
      const inner = compile(def.innerType);
      return (v) => v === undefined || inner(v);
    }
    case 'string':
      if (plain && def.format === undefined) return (v) => typeof v === 'string';
      // uuid, GUID and ISO datetime check nothing but their pattern (zod's $ZodCheckStringFormat).
      if (!def.checks?.length && !def.coerce && PATTERN_ONLY.some((t) => node._zod.traits.has(t)) && def.pattern instanceof RegExp) {
        const pattern = def.pattern;
        return (v) => {
          if (typeof v !== 'string') return false;
          pattern.lastIndex = 0;
          return pattern.test(v);
        };
      }
      // A format (uuid, ISO datetime, …) is a string whose one check is the schema itself: zod's
      // own check function, without the generic run around it.
      if (!def.checks?.length && !def.coerce && def.format !== undefined && !def.when && node._zod.check) {
        const check = node._zod.check.bind(node._zod);
        return (v) => {
          if (typeof v !== 'string') return false;
          const payload: Payload = { value: v, issues: [] };
          try {
            return check(payload) === undefined && payload.issues.length === 0 && payload.value === v;
          } catch {
            return false;
          }
        };
      }
      return byZod(node);
    case 'enum':
      if (plain && node._zod.values instanceof Set) {
        const values = node._zod.values;
        return (v) => values.has(v);
      }
      return byZod(node);
    case 'boolean':
      return plain ? (v) => typeof v === 'boolean' : byZod(node);
    case 'unknown':
    case 'any':
      return plain ? () => true : byZod(node);
    default:
      return byZod(node);
  }
}

/** Structural equality of JSON-shaped values (what an API answer is made of). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    if (!hasOwn.call(b, k) || !sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}
