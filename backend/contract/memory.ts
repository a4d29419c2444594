import { z } from 'zod';
import { Id, Text, Timestamp } from './common.js';

export const BoardMemoryRead = z.object({
  id: Id,
  board_id: Id,
  content: z.string(),
  tags: z.array(z.string()).nullable(),
  /** The writer's name; for an agent always its own name (from its token, never from the request). */
  source: z.string().nullable(),
  /** Who wrote it, from the credential: the local user or an agent (`agent_id`, null once that agent is deleted). */
  author: z.enum(['user', 'agent']),
  agent_id: Id.nullable(),
  is_chat: z.boolean(),
  created_at: Timestamp,
});
export type BoardMemoryRead = z.infer<typeof BoardMemoryRead>;

export const BoardMemoryCreate = z.strictObject({
  content: Text(50_000),
  tags: z.array(z.string().trim().min(1).max(100)).max(50).nullable().optional(),
  /** The user may label a note; an agent may only leave it out or send its own name (403 otherwise). */
  source: z.string().trim().max(200).nullable().optional(),
});
export type BoardMemoryCreate = z.infer<typeof BoardMemoryCreate>;

export const ActivityEventRead = z.object({
  id: Id,
  event_type: z.string(),
  message: z.string().nullable(),
  agent_id: Id.nullable(),
  task_id: Id.nullable(),
  board_id: Id.nullable(),
  created_at: Timestamp,
});
export type ActivityEventRead = z.infer<typeof ActivityEventRead>;

export const ActivityListQuery = z.object({
  board_id: Id.optional(),
  agent_id: Id.optional(),
  task_id: Id.optional(),
  event_type: z.string().trim().min(1).max(100).optional(),
});
