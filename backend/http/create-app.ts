import express, { type Express } from 'express';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { buildOpenApiDocument } from '../contract/openapi.js';
import { toExpressPath, type RouteDef } from '../contract/route.js';
import { ROUTES, type RouteName } from '../contract/routes.js';
import { AppError } from '../errors.js';
import type { Diagnostics } from '../diagnostics/index.js';
import type { Logger } from '../logging.js';
import type { Services } from '../compose.js';
import { HAND_MOUNTED, type Handler, type Handlers, type StreamRouteName } from './handlers.js';
import { streamPushEvents } from './event-stream.js';
import { errorHandler, frontMiddleware } from './middleware.js';
import { createActorResolver } from './auth.js';
import { mountRoute } from './mount.js';
import { mountSessionRoutes } from './session-routes.js';
import { createUserSessions, type UserSessions } from './user-sessions.js';
import type { SettingsService } from '../services/settings.js';
import { agentHandlers } from './routes/agents.js';
import { agentMessagingHandlers } from './routes/agent-messaging.js';
import { boardHandlers } from './routes/boards.js';
import { compatHandlers } from './routes/compat.js';
import { doctorHandlers } from './routes/doctor.js';
import { gatewayHandlers } from './routes/gateways.js';
import { memoryHandlers } from './routes/memory.js';
import { boardGroupHandlers, streamBoardGroupMemory } from './routes/board-groups.js';
import { agentSoulHandlers } from './routes/agent-soul.js';
import { boardWebhookHandlers, mountWebhookIngest } from './routes/board-webhooks.js';
import { boardOnboardingHandlers } from './routes/board-onboarding.js';
import { systemHandlers } from './routes/system.js';
import { taskHandlers } from './routes/tasks.js';
import { templateHandlers } from './routes/templates.js';
import { scheduleHandlers } from './routes/schedules.js';
import type { Schedules } from '../schedules/index.js';

export interface AppDeps {
  services: Services;
  diagnostics: Diagnostics;
  logger: Logger;
  localToken: string;
  /** Host names accepted in the Host header (DNS-rebinding guard). */
  allowedHosts: ReadonlySet<string>;
  maxBodyBytes: number;
  validateResponses: boolean;
  /** Built renderer (index.html + assets); absent = a page that says how to build it. */
  uiDir?: string;
  /** Where the agent-facing base URL points (shown in OpenAPI `servers`). */
  baseUrl: string;
  /** Browser sessions of the local user (login link / sign-in form); a fresh store if absent. */
  sessions?: UserSessions;
  /** `GET`/`PATCH /api/v1/settings`; absent in servers that do not run from a config (benchmarks). */
  settings?: SettingsService;
  /** `GET`/`PATCH /api/v1/settings/schedules` (backend/schedules/); absent = none run. */
  schedules?: Schedules;
}

const UI_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', 'simple');

  const front = frontMiddleware(deps.allowedHosts, deps.services.refusals, deps.logger.child('http'));

  const handlers: Handlers = {
    ...systemHandlers(deps.services, deps.settings),
    ...gatewayHandlers(deps.services),
    ...boardHandlers(deps.services),
    ...agentHandlers(deps.services),
    ...agentMessagingHandlers(deps.services),
    ...taskHandlers(deps.services),
    ...memoryHandlers(deps.services),
    ...boardGroupHandlers(deps.services),
    ...agentSoulHandlers(deps.services),
    ...boardWebhookHandlers(deps.services),
    ...boardOnboardingHandlers(deps.services),
    ...templateHandlers(deps.services),
    ...doctorHandlers(deps.diagnostics),
    ...compatHandlers(deps.services),
    ...scheduleHandlers(deps.schedules),
  };

  const router = express.Router();
  const sessions = deps.sessions ?? createUserSessions();
  const resolveActor = createActorResolver({
    localToken: deps.localToken,
    agentAuth: deps.services.agentAuth,
    agents: deps.services.agents,
    logger: deps.logger,
    sessions,
    refusals: deps.services.refusals,
  });
  // The agent API first: it is the hot path (heartbeats), and Express matches routes in order.
  const names = (Object.keys(ROUTES) as RouteName[])
    .filter((n): n is Exclude<RouteName, StreamRouteName> => !(HAND_MOUNTED as readonly string[]).includes(n))
    .sort((a, b) => Number(!ROUTES[a].path.startsWith('/api/v1/agent/')) - Number(!ROUTES[b].path.startsWith('/api/v1/agent/')));
  // Routes without path parameters are also found by exact method + path before Express's router
  // walks its layers (the heartbeat's path is one). Anything else — another spelling Express would
  // accept (trailing slash, case), HEAD, a parameterised path — falls through to the router.
  const exact = new Map<string, express.RequestHandler>();
  for (const name of names) {
    const route = ROUTES[name] as RouteDef;
    const whole = mountRoute(router, route, handlers[name] as Handler<RouteDef>, resolveActor, {
      validateResponses: deps.validateResponses,
      maxBodyBytes: deps.maxBodyBytes,
    });
    if (!route.path.includes('{')) exact.set(`${route.method.toUpperCase()} ${route.path}`, whole);
  }
  app.use((req, res, next) => {
    front(req, res, (err?: unknown) => {
      const direct = err ? undefined : exact.get(`${req.method} ${req.path}`);
      if (direct) void direct(req, res, next);
      else next(err);
    });
  });
  router.get(ROUTES.eventStream.path, (req, res) => {
    resolveActor(req, ROUTES.eventStream as RouteDef);
    const { agentFeed, gatewayFeed, templateSync } = deps.services;
    streamPushEvents(res, { agent: agentFeed, gateway: gatewayFeed, template_sync: templateSync.progress });
  });
  router.get(toExpressPath(ROUTES.streamBoardGroupMemory.path), streamBoardGroupMemory(deps.services, resolveActor));
  mountWebhookIngest(router, deps.services, resolveActor, deps.maxBodyBytes);
  mountSessionRoutes(router, { sessions, localToken: deps.localToken, refusals: deps.services.refusals, maxBodyBytes: deps.maxBodyBytes });
  app.use(router);

  // Built on the first request, not at start: it walks every route's schemas (docs/performance.md).
  let openapi: ReturnType<typeof buildOpenApiDocument> | undefined;
  app.get('/openapi.json', (_req, res) => {
    res.json((openapi ??= buildOpenApiDocument({ serverUrl: deps.baseUrl })));
  });

  // Unknown API paths are a JSON 404, never the UI's HTML.
  app.use(['/api', '/healthz', '/readyz', '/health'], (_req, _res, next) => next(new AppError('not_found', 'Not found')));

  mountUi(app, deps.uiDir);
  app.use(errorHandler(deps.logger.child('http')));
  return app;
}

function mountUi(app: Express, uiDir: string | undefined): void {
  const index = uiDir ? join(uiDir, 'index.html') : undefined;
  const setCsp: express.RequestHandler = (_req, res, next) => {
    res.setHeader('Content-Security-Policy', UI_CSP);
    next();
  };
  if (uiDir && index && existsSync(index)) {
    app.use(setCsp, express.static(uiDir, { index: false, maxAge: '1h', fallthrough: true }));
    // Client-side routes: every other GET that accepts HTML gets the app shell.
    app.get(/^\/(?!api\/).*/, setCsp, (req, res, next) => {
      if (!req.accepts('html')) return next(new AppError('not_found', 'Not found'));
      res.setHeader('Cache-Control', 'no-store');
      res.sendFile(index);
    });
    return;
  }
  app.get('/', setCsp, (_req, res) => {
    res
      .status(200)
      .type('html')
      .send(
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>OpenClaw Mission Control</title></head>' +
          '<body><main><h1>OpenClaw Mission Control</h1><p>The API is running. The user interface has not been built: run <code>npm run build</code>.</p></main></body></html>',
      );
  });
}
