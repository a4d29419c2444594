import type { AgentRow } from '../db/schema.js';

const MENTION = /@([A-Za-z][\w-]{0,31})/g;

/** `"hi @Alex and @bob-2"` → `{"alex", "bob-2"}` (the web edition's rule). */
export function extractMentions(text: string): Set<string> {
  const found = new Set<string>();
  for (const m of text.matchAll(MENTION)) if (m[1]) found.add(m[1].toLowerCase());
  return found;
}

/** `@lead` matches leads; otherwise the full lower-case name or its first word. */
export function matchesMention(agent: Pick<AgentRow, 'name' | 'isBoardLead'>, mentions: Set<string>): boolean {
  if (mentions.size === 0) return false;
  if (agent.isBoardLead && mentions.has('lead')) return true;
  const name = agent.name.trim().toLowerCase();
  const first = name.split(/\s+/)[0] ?? '';
  return mentions.has(name) || (first !== '' && mentions.has(first));
}
