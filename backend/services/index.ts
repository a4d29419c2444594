import { createActivityService } from './activity.js';
import { createAgentFeed } from './agent-feed.js';
import type { GatewayManager } from '../gateway/manager.js';
import { createGatewayCompat } from './gateway-compat.js';
import { listLifecycle } from '../core/lifecycle-trail.js';
import { createAgentAuth } from './agent-auth.js';
import { createAgentMessaging } from './agent-messaging.js';
import { createAgentService } from './agents.js';
import { createApprovalService } from './approvals.js';
import { createBoardService } from './boards.js';
import type { ServiceContext } from '../core/context.js';
import { createGatewayFeed } from './gateway-feed.js';
import { createGatewayService } from './gateways.js';
import { createMemoryService } from './memory.js';
import { createBoardGroupService } from './board-groups.js';
import { createBoardWebhookService } from './board-webhooks.js';
import { createBoardOnboardingService } from './board-onboarding.js';
import { createTagService } from './tags.js';
import { createTaskService } from './tasks.js';
import { createLogThrottle } from '../log-throttle.js';

export interface ServiceOptions {
  /** The URL agents use to reach the API; rendered into messages sent to them. */
  baseUrl: string;
  gatewayManager: GatewayManager;
  /** Environment for local-gateway detection. */
  env: NodeJS.ProcessEnv;
}

/** The services (records, tasks, auth, feeds) over one context; no lifecycle objects (compose.ts adds them). */
export function createServices(ctx: ServiceContext, options: ServiceOptions) {
  const agents = createAgentService(ctx);
  const boards = createBoardService(ctx, agents);
  const tasks = createTaskService(ctx, { baseUrl: options.baseUrl, agents, boards });
  const gateways = createGatewayService(ctx, { agents, manager: options.gatewayManager, env: options.env });
  // Every refusal (HTTP and agent auth) is logged through one throttle: a flood costs a bounded number of lines.
  const refusals = createLogThrottle({ logger: ctx.logger.child('auth'), now: ctx.now });
  return {
    ctx,
    refusals,
    /** The gateway connections (their live state; the doctor and tests read it). */
    manager: options.gatewayManager,
    /** Readiness: the database answers a query. */
    ready(): void {
      ctx.sqlite.prepare('SELECT 1').get();
    },
    agentAuth: createAgentAuth(ctx, agents.presence, refusals),
    agents,
    gateways,
    boards,
    gatewayCompat: createGatewayCompat(ctx, { gateways, boards, manager: options.gatewayManager }),
    tasks,
    approvals: createApprovalService(ctx, { baseUrl: options.baseUrl, agents, boards, tasks }),
    memory: createMemoryService(ctx, options.baseUrl),
    messaging: createAgentMessaging(ctx, { baseUrl: options.baseUrl, agents, boards }),
    boardGroups: createBoardGroupService(ctx),
    webhooks: createBoardWebhookService(ctx, options.baseUrl),
    onboarding: createBoardOnboardingService(ctx),
    tags: createTagService(ctx),
    agentFeed: createAgentFeed(ctx),
    gatewayFeed: createGatewayFeed({ manager: options.gatewayManager, read: (id) => gateways.get(id) }),
    lifecycle: {
      /** The lifecycle trail (the wake ladder's and provisioning's events), newest first. */
      list(query: { event?: string | undefined; agentId?: string | undefined; limit: number; offset: number }) {
        const { rows, total } = listLifecycle(ctx.db, query);
        return {
          items: rows.map((r) => ({
            id: r.id,
            event: r.event,
            agent_id: r.agentId,
            message: r.message,
            data: r.data ?? null,
            created_at: r.createdAt.toISOString(),
          })),
          total,
          limit: query.limit,
          offset: query.offset,
        };
      },
    },
    activity: createActivityService(ctx.db),
  };
}

/** The services alone; compose.ts adds the lifecycle objects (`Services` there is what callers get). */
export type ServiceGraph = ReturnType<typeof createServices>;
