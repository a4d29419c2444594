import { z } from 'zod';
import { BoardParams, Id, InputDateTime, Timestamp } from './common.js';
import { IdentityProfile } from './agents.js';
import { BoardType } from './boards.js';
import { defineRoute } from './route.js';

/*
 * Board onboarding as the gateway main agent drives it (the web edition's
 * `POST /api/v1/agent/boards/{board_id}/onboarding`): a question with options, or the completed draft.
 */

const Line = z.string().trim().max(2000).nullable().optional();

export const OnboardingQuestion = z.strictObject({
  question: z.string().trim().min(1).max(4000),
  options: z
    .array(z.strictObject({ id: z.string().trim().min(1).max(100), label: z.string().trim().min(1).max(500) }))
    .min(1)
    .max(20),
});

export const OnboardingComplete = z.strictObject({
  status: z.literal('complete'),
  board_type: BoardType,
  objective: z.string().trim().max(10_000).nullable().optional(),
  success_metrics: z.record(z.string(), z.unknown()).nullable().optional(),
  target_date: InputDateTime.nullable().optional(),
  user_profile: z.strictObject({ preferred_name: Line, pronouns: Line, timezone: Line, notes: Line, context: Line }).nullable().optional(),
  lead_agent: z
    .strictObject({
      name: z.string().trim().min(1).max(100).nullable().optional(),
      identity_profile: IdentityProfile.nullable().optional(),
      autonomy_level: z.enum(['ask_first', 'balanced', 'autonomous']).nullable().optional(),
      verbosity: z.enum(['concise', 'balanced', 'detailed']).nullable().optional(),
      output_format: z.enum(['bullets', 'mixed', 'narrative']).nullable().optional(),
      update_cadence: z.enum(['asap', 'hourly', 'daily', 'weekly']).nullable().optional(),
      custom_instructions: z.string().trim().max(10_000).nullable().optional(),
    })
    .nullable()
    .optional(),
});

export const OnboardingAgentUpdate = z.union([OnboardingComplete, OnboardingQuestion]);
export type OnboardingAgentUpdate = z.infer<typeof OnboardingAgentUpdate>;

export const BoardOnboardingRead = z.object({
  id: Id,
  board_id: Id,
  session_key: z.string(),
  status: z.enum(['active', 'completed', 'confirmed']),
  messages: z.array(z.object({ role: z.string(), content: z.string(), timestamp: z.string() })).nullable(),
  draft_goal: z.record(z.string(), z.unknown()).nullable(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type BoardOnboardingRead = z.infer<typeof BoardOnboardingRead>;

export const BOARD_ONBOARDING_ROUTES = {
  getBoardOnboarding: defineRoute({
    method: 'get',
    path: '/api/v1/boards/{board_id}/onboarding',
    operationId: 'get_board_onboarding',
    summary: 'The board’s onboarding session (404 when none has started)',
    tags: ['board-onboarding'],
    auth: 'user',
    params: BoardParams,
    response: BoardOnboardingRead,
  }),
  agentUpdateOnboarding: defineRoute({
    method: 'post',
    path: '/api/v1/agent/boards/{board_id}/onboarding',
    operationId: 'agent_update_onboarding',
    summary: 'Gateway main agent: ask the next onboarding question, or hand in the completed draft',
    tags: ['agent-main'],
    auth: 'agent',
    params: BoardParams,
    body: OnboardingAgentUpdate,
    response: BoardOnboardingRead,
    errors: { '403': 'Only the dedicated gateway agent may call this endpoint.', '409': 'The onboarding is already confirmed' },
    llm: {
      intent: 'Run the board onboarding interview with the user.',
      whenToUse: ['Each question of the onboarding (6–10, the last "Anything else we should know?")', 'Then once with status "complete".'],
      requiredActor: 'gateway main agent of the board’s gateway',
      sideEffects: ['Appends to the session’s messages; "complete" stores the draft and marks it completed.'],
    },
  }),
} as const;
