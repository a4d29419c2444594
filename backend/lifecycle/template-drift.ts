import type { TemplateDriftResult } from '../contract/templates.js';
import type { AgentRow } from '../db/schema.js';
import type { GatewayConnection } from '../gateway/connection.js';
import type { AgentRecords as AgentService } from '../core/ports.js';
import type { ServiceContext } from '../core/context.js';
import { REDACTED, redactTokens } from '../templates/render.js';
import { knowledgeFromRead, rememberDrift, type DriftKnowledge } from './drift-memory.js';
import type { DriftOffload } from './drift-offload.js';
import { fileDriftWith } from './file-drift.js';
import { gatewayAgentKey, readWorkspaceFile } from './gateway-agents.js';
import type { Provisioner } from './provisioner.js';
import { errorText, workspaceToken } from './workspace-token.js';

/*
 * The drift preview: for each agent, its workspace files on the gateway against what a sync would
 * write (both redacted), its token state, and the files the gateway refuses. Reads only; every read
 * is remembered for the overview.
 */

/** Files the reference wrote that the current gateway refuses, and where their content lives now. */
const RELOCATED: Record<string, string> = {
  'TOOLS.md': 'its access lines (BASE_URL, AUTH_TOKEN, …) are in AGENTS.md',
  'HEARTBEAT.md': 'the heartbeat checklist is in the agent’s heartbeat job scratch',
};

export interface DriftPreviewEnv {
  ctx: ServiceContext;
  agents: AgentService;
  provisioner: Provisioner;
  offload: DriftOffload;
  /** What a sync would write for this agent now, as the remembered drift fingerprints it. */
  fingerprintNow: (agentId: string) => string;
}

type DriftItem = TemplateDriftResult['agents'][number];

async function agentDrift(env: DriftPreviewEnv, conn: GatewayConnection, agent: AgentRow, item: DriftItem): Promise<void> {
  const key = item.gateway_agent_id;
  let held: string | null = null;
  try {
    const workspace = await workspaceToken(env.agents, conn, agent);
    held = workspace.token;
    item.token = workspace.state;
    // Rendered with a placeholder: comparing never needs the real token (both sides are redacted).
    const expected = env.provisioner.renderExpected(agent.id, REDACTED);
    for (const [name, content] of expected) {
      const read = name === 'AGENTS.md' ? workspace.read : await readWorkspaceFile(conn, key, name);
      item.files.push(await fileDriftWith(env.offload.run, name, read, content, held));
    }
    for (const name of Object.keys(RELOCATED)) {
      const read = await readWorkspaceFile(conn, key, name);
      if (read.state === 'unsupported')
        item.files.push({
          name,
          status: 'unsupported',
          preserved: false,
          diff: null,
          note: `The gateway refuses ${name} (${redactTokens(read.detail)}); ${RELOCATED[name]}.`,
          too_large: null,
        });
    }
  } catch (err) {
    item.error = redactTokens(errorText(err), [held]);
  }
}

export async function previewDrift(
  env: DriftPreviewEnv,
  gatewayId: string,
  conn: GatewayConnection | null,
  targets: AgentRow[],
  paused: Set<string>,
): Promise<TemplateDriftResult> {
  const result: TemplateDriftResult = {
    gateway_id: gatewayId,
    checked_at: env.ctx.now().toISOString(),
    summary: { agents: targets.length, in_sync: 0, drifted: 0, missing: 0, unsupported: 0, token_mismatches: 0 },
    agents: [],
  };
  const learned: DriftKnowledge[] = [];
  for (const agent of targets) {
    const item: DriftItem = {
      agent_id: agent.id,
      agent_name: agent.name,
      board_id: agent.boardId,
      gateway_agent_id: gatewayAgentKey(agent),
      is_main: agent.boardId === null,
      paused: agent.boardId !== null && paused.has(agent.boardId),
      token: null,
      error: null,
      files: [],
    };
    await agentDrift(env, conn!, agent, item);
    if (item.token === 'mismatch' || item.token === 'missing') result.summary.token_mismatches++;
    for (const file of item.files) result.summary[file.status]++;
    result.agents.push(item);
    learned.push(knowledgeFromRead(item, new Date(result.checked_at), env.fingerprintNow(agent.id)));
  }
  // Every read is remembered (the overview shows it without reading the gateway again).
  rememberDrift(env.ctx.db, learned);
  return result;
}
