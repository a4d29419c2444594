import { z } from 'zod';
import { ApprovalStatus, BoardParams, Id, PageQuery, Text, Timestamp, page } from './common.js';
import { BOARD, defineRoute } from './route.js';

export const ApprovalRead = z.object({
  id: Id,
  board_id: Id,
  task_id: Id.nullable(),
  task_ids: z.array(Id),
  task_titles: z.array(z.string()),
  agent_id: Id.nullable(),
  action_type: z.string(),
  payload: z.record(z.string(), z.unknown()).nullable(),
  confidence: z.number(),
  rubric_scores: z.record(z.string(), z.number().int()).nullable(),
  status: ApprovalStatus,
  created_at: Timestamp,
  resolved_at: Timestamp.nullable(),
});
export type ApprovalRead = z.infer<typeof ApprovalRead>;

export const ApprovalCreate = z.strictObject({
  action_type: Text(200),
  confidence: z.number().min(0).max(100),
  task_id: Id.nullable().optional(),
  task_ids: z.array(Id).max(200).default([]),
  payload: z.record(z.string(), z.unknown()).nullable().optional(),
  rubric_scores: z.record(z.string().max(100), z.number().int()).nullable().optional(),
  status: ApprovalStatus.default('pending'),
  agent_id: Id.nullable().optional(),
  lead_reasoning: z.string().max(20_000).nullable().optional(),
});
export type ApprovalCreate = z.infer<typeof ApprovalCreate>;

export const ApprovalUpdate = z.strictObject({ status: ApprovalStatus });

export const ApprovalParams = z.object({ board_id: Id, approval_id: Id });
export const ApprovalListQuery = z.object({ status: ApprovalStatus.optional() });

/** Approvals: agents request, the user resolves. */
export const APPROVAL_ROUTES = {
  listApprovals: defineRoute({
    method: 'get',
    path: '/api/v1/boards/{board_id}/approvals',
    operationId: 'list_approvals',
    summary: 'Approvals of a board',
    tags: ['approvals'],
    auth: 'user_or_agent',
    params: BoardParams,
    query: PageQuery.extend(ApprovalListQuery.shape),
    response: page(ApprovalRead),
  }),
  createApproval: defineRoute({
    method: 'post',
    path: '/api/v1/boards/{board_id}/approvals',
    operationId: 'create_approval',
    summary: 'Request an approval',
    tags: ['approvals'],
    auth: 'user_or_agent',
    params: BoardParams,
    body: ApprovalCreate,
    response: ApprovalRead,
  }),
  resolveApproval: defineRoute({
    method: 'patch',
    path: '/api/v1/boards/{board_id}/approvals/{approval_id}',
    operationId: 'resolve_approval',
    summary: 'Approve or reject',
    tags: ['approvals'],
    auth: 'user',
    params: ApprovalParams,
    body: ApprovalUpdate,
    response: ApprovalRead,
  }),
  agentListApprovals: defineRoute({
    method: 'get',
    path: '/api/v1/agent/boards/{board_id}/approvals',
    operationId: 'agent_list_approvals',
    summary: 'Approvals of your board',
    tags: BOARD,
    auth: 'agent',
    params: BoardParams,
    query: PageQuery.extend(ApprovalListQuery.shape),
    response: page(ApprovalRead),
    llm: {
      intent: 'Check whether an approval was granted.',
      whenToUse: 'Before moving a task to done.',
      requiredActor: 'board lead or worker',
    },
  }),
  agentCreateApproval: defineRoute({
    method: 'post',
    path: '/api/v1/agent/boards/{board_id}/approvals',
    operationId: 'agent_create_approval',
    summary: 'Request a human approval',
    tags: BOARD,
    auth: 'agent',
    params: BoardParams,
    body: ApprovalCreate,
    response: ApprovalRead,
    llm: {
      intent: 'Ask the human to approve an action or a task’s completion.',
      whenToUse: 'When the board requires approval for done, or an action is risky; include lead_reasoning.',
      requiredActor: 'board lead or worker',
      sideEffects: 'One pending approval per task.',
    },
  }),
} as const;
