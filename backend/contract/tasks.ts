import { z } from 'zod';
import { BoardParams, Id, InputDateTime, OkResponse, PageQuery, QueryBool, Text, TaskStatus, Timestamp, page } from './common.js';
import { BOARD, LEAD, defineRoute } from './route.js';

export const Priority = z.string().trim().min(1).max(32);

export const TagRef = z.object({ id: Id, name: z.string(), slug: z.string(), color: z.string() });

export const TaskRead = z.object({
  id: Id,
  board_id: Id,
  title: z.string(),
  description: z.string().nullable(),
  status: TaskStatus,
  priority: z.string(),
  due_at: Timestamp.nullable(),
  in_progress_at: Timestamp.nullable(),
  previous_in_progress_at: Timestamp.nullable(),
  created_by_user_id: z.string().nullable(),
  assigned_agent_id: Id.nullable(),
  auto_created: z.boolean(),
  auto_reason: z.string().nullable(),
  depends_on_task_ids: z.array(Id),
  blocked_by_task_ids: z.array(Id),
  is_blocked: z.boolean(),
  tag_ids: z.array(Id),
  tags: z.array(TagRef),
  custom_field_values: z.record(z.string(), z.unknown()),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type TaskRead = z.infer<typeof TaskRead>;

const IdList = z.array(Id).max(200);

/**
 * Custom fields are not implemented in the desktop edition (no definitions exist), so only an
 * empty object is accepted; anything else is a clear 422 rather than silently dropped data.
 */
export const CustomFieldValues = z
  .record(z.string(), z.unknown())
  .refine((v) => Object.keys(v).length === 0, { message: 'no custom fields are defined' });

export const TaskCreate = z.strictObject({
  title: Text(500),
  description: z.string().max(50_000).nullable().optional(),
  status: TaskStatus.default('inbox'),
  priority: Priority.default('medium'),
  due_at: InputDateTime.nullable().optional(),
  assigned_agent_id: Id.nullable().optional(),
  depends_on_task_ids: IdList.default([]),
  tag_ids: IdList.default([]),
  custom_field_values: CustomFieldValues.default({}),
  created_by_user_id: z.string().max(100).nullable().optional(),
});
export type TaskCreate = z.infer<typeof TaskCreate>;

export const TaskUpdate = z.strictObject({
  title: Text(500).optional(),
  description: z.string().max(50_000).nullable().optional(),
  /** Explicit `null` is refused with "status is required", as in the web edition. */
  status: TaskStatus.nullable().optional(),
  priority: Priority.optional(),
  due_at: InputDateTime.nullable().optional(),
  assigned_agent_id: Id.nullable().optional(),
  depends_on_task_ids: IdList.optional(),
  tag_ids: IdList.optional(),
  custom_field_values: CustomFieldValues.optional(),
  comment: z.string().max(50_000).nullable().optional(),
});
export type TaskUpdate = z.infer<typeof TaskUpdate>;

export const TaskParams = z.object({ board_id: Id, task_id: Id });

/** `?status=inbox,review` — a comma list of known statuses. */
export const TaskListQuery = z.object({
  status: z
    .string()
    .optional()
    .transform((v, ctx) => {
      if (v === undefined || v.trim() === '') return undefined;
      const parts = v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const bad = parts.filter((p) => !TaskStatus.safeParse(p).success);
      if (bad.length > 0) {
        ctx.addIssue({ code: 'custom', message: 'Unsupported task status filter.' });
        return z.NEVER;
      }
      return parts as TaskStatus[];
    }),
  assigned_agent_id: Id.optional(),
  unassigned: QueryBool.optional(),
});

export const TaskCommentRead = z.object({
  id: Id,
  message: z.string().nullable(),
  agent_id: Id.nullable(),
  task_id: Id.nullable(),
  created_at: Timestamp,
});
export type TaskCommentRead = z.infer<typeof TaskCommentRead>;

export const TaskCommentCreate = z.strictObject({ message: Text(50_000) });

export const TagRead = z.object({
  id: Id,
  name: z.string(),
  slug: z.string(),
  color: z.string(),
  description: z.string().nullable(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type TagRead = z.infer<typeof TagRead>;

export const TagCreate = z.strictObject({
  name: Text(100),
  slug: z
    .string()
    .trim()
    .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/)
    .max(100)
    .optional(),
  color: z
    .string()
    .trim()
    .regex(/^#?[0-9a-fA-F]{6}$/, { message: 'must be a 6-digit hex colour' })
    .transform((c) => c.replace('#', '').toLowerCase())
    .default('9e9e9e'),
  description: z.string().max(2000).nullable().optional(),
});
export const TagParams = z.object({ tag_id: Id });

export const BoardTaskComment = TaskParams;

/** Tasks, their comments and tags: the user API and the agent API. */
export const TASK_ROUTES = {
  listTasks: defineRoute({
    method: 'get',
    path: '/api/v1/boards/{board_id}/tasks',
    operationId: 'list_tasks',
    summary: 'List tasks of a board, newest first',
    tags: ['tasks'],
    auth: 'user_or_agent',
    params: BoardParams,
    query: PageQuery.extend(TaskListQuery.shape),
    response: page(TaskRead),
  }),
  createTask: defineRoute({
    method: 'post',
    path: '/api/v1/boards/{board_id}/tasks',
    operationId: 'create_task',
    summary: 'Create a task',
    tags: ['tasks'],
    auth: 'user',
    params: BoardParams,
    body: TaskCreate,
    response: TaskRead,
  }),
  getTask: defineRoute({
    method: 'get',
    path: '/api/v1/boards/{board_id}/tasks/{task_id}',
    operationId: 'get_task',
    summary: 'Get a task',
    tags: ['tasks'],
    auth: 'user_or_agent',
    params: TaskParams,
    response: TaskRead,
  }),
  updateTask: defineRoute({
    method: 'patch',
    path: '/api/v1/boards/{board_id}/tasks/{task_id}',
    operationId: 'update_task',
    summary: 'Update a task (status rules and board gates apply)',
    tags: ['tasks'],
    auth: 'user_or_agent',
    params: TaskParams,
    body: TaskUpdate,
    response: TaskRead,
  }),
  deleteTask: defineRoute({
    method: 'delete',
    path: '/api/v1/boards/{board_id}/tasks/{task_id}',
    operationId: 'delete_task',
    summary: 'Delete a task',
    tags: ['tasks'],
    auth: 'user',
    params: TaskParams,
    response: OkResponse,
  }),
  listTaskComments: defineRoute({
    method: 'get',
    path: '/api/v1/boards/{board_id}/tasks/{task_id}/comments',
    operationId: 'list_task_comments',
    summary: 'Comments of a task, oldest first',
    tags: ['tasks'],
    auth: 'user_or_agent',
    params: BoardTaskComment,
    query: PageQuery,
    response: page(TaskCommentRead),
  }),
  createTaskComment: defineRoute({
    method: 'post',
    path: '/api/v1/boards/{board_id}/tasks/{task_id}/comments',
    operationId: 'create_task_comment',
    summary: 'Comment on a task',
    tags: ['tasks'],
    auth: 'user_or_agent',
    params: BoardTaskComment,
    body: TaskCommentCreate,
    response: TaskCommentRead,
  }),
  agentListTasks: defineRoute({
    method: 'get',
    path: '/api/v1/agent/boards/{board_id}/tasks',
    operationId: 'agent_list_tasks',
    summary: 'Tasks of your board, newest first',
    tags: BOARD,
    auth: 'agent',
    params: BoardParams,
    query: PageQuery.extend(TaskListQuery.shape),
    response: page(TaskRead),
    llm: {
      intent: 'Find work: your assigned tasks, the inbox, the review queue.',
      whenToUse: 'On every heartbeat, filtered with ?status= and ?assigned_agent_id=.',
      requiredActor: 'board lead or worker',
    },
  }),
  agentCreateTask: defineRoute({
    method: 'post',
    path: '/api/v1/agent/boards/{board_id}/tasks',
    operationId: 'agent_create_task',
    summary: 'Board lead creates a task',
    tags: LEAD,
    auth: 'agent',
    params: BoardParams,
    body: TaskCreate,
    response: TaskRead,
    llm: {
      intent: 'Break the board objective into tasks.',
      whenToUse: 'When planning; assign to a worker (never to yourself).',
      requiredActor: 'board lead',
      sideEffects: 'The assignee is notified.',
    },
  }),
  agentUpdateTask: defineRoute({
    method: 'patch',
    path: '/api/v1/agent/boards/{board_id}/tasks/{task_id}',
    operationId: 'agent_update_task',
    summary: 'Move, claim, assign or comment on a task',
    tags: BOARD,
    auth: 'agent',
    params: TaskParams,
    body: TaskUpdate,
    response: TaskRead,
    llm: {
      intent: 'Change a task’s status (claim, send to review, finish) or, as lead, assign it.',
      whenToUse:
        'Workers: in_progress when you start, review with a comment when done. Leads: assign, approve to done, or send back to inbox.',
      whenNotToUse: 'Do not edit fields your role may not change; the answer is 403 task_update_field_forbidden.',
      requiredActor: 'board lead or worker',
      sideEffects: 'Board gates apply; the next owner is notified.',
    },
  }),
  agentDeleteTask: defineRoute({
    method: 'delete',
    path: '/api/v1/agent/boards/{board_id}/tasks/{task_id}',
    operationId: 'agent_delete_task',
    summary: 'Board lead deletes a task',
    tags: BOARD,
    auth: 'agent',
    params: TaskParams,
    response: OkResponse,
    llm: { intent: 'Remove a task that should not exist.', whenToUse: 'Duplicates or mistakes only.', requiredActor: 'board lead' },
  }),
  agentListTaskComments: defineRoute({
    method: 'get',
    path: '/api/v1/agent/boards/{board_id}/tasks/{task_id}/comments',
    operationId: 'agent_list_task_comments',
    summary: 'Comments of a task, oldest first',
    tags: BOARD,
    auth: 'agent',
    params: BoardTaskComment,
    query: PageQuery,
    response: page(TaskCommentRead),
    llm: {
      intent: 'Read the discussion on a task.',
      whenToUse: 'Before working on or reviewing a task.',
      requiredActor: 'board lead or worker',
    },
  }),
  agentCreateTaskComment: defineRoute({
    method: 'post',
    path: '/api/v1/agent/boards/{board_id}/tasks/{task_id}/comments',
    operationId: 'agent_create_task_comment',
    summary: 'Comment on a task',
    tags: BOARD,
    auth: 'agent',
    params: BoardTaskComment,
    body: TaskCommentCreate,
    response: TaskCommentRead,
    llm: {
      intent: 'Report progress (Update / Evidence / Next) or ask a question.',
      whenToUse: 'Whenever you make progress or are blocked; @mention who should answer.',
      requiredActor: 'board lead or worker (leads: during review, when mentioned, or on their own tasks)',
      sideEffects: '@mentioned agents, else the assignee, are notified.',
    },
  }),
  listTags: defineRoute({
    method: 'get',
    path: '/api/v1/tags',
    operationId: 'list_tags',
    summary: 'List tags',
    tags: ['tags'],
    auth: 'user',
    query: PageQuery,
    response: page(TagRead),
  }),
  createTag: defineRoute({
    method: 'post',
    path: '/api/v1/tags',
    operationId: 'create_tag',
    summary: 'Create a tag',
    tags: ['tags'],
    auth: 'user',
    body: TagCreate,
    response: TagRead,
  }),
  deleteTag: defineRoute({
    method: 'delete',
    path: '/api/v1/tags/{tag_id}',
    operationId: 'delete_tag',
    summary: 'Delete a tag',
    tags: ['tags'],
    auth: 'user',
    params: TagParams,
    response: OkResponse,
  }),
  agentListTags: defineRoute({
    method: 'get',
    path: '/api/v1/agent/boards/{board_id}/tags',
    operationId: 'agent_list_tags',
    summary: 'Tags you may put on tasks',
    tags: BOARD,
    auth: 'agent',
    params: BoardParams,
    response: z.array(TagRef),
    llm: { intent: 'Find tag ids for tasks.', whenToUse: 'When creating or tagging tasks.', requiredActor: 'board lead or worker' },
  }),
} as const;
