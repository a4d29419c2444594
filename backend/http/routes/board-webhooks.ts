import express, { type Request, type Response } from 'express';
import { ROUTES } from '../../contract/routes.js';
import type { RouteDef } from '../../contract/route.js';
import type { Services } from '../../compose.js';
import type { ActorResolver } from '../auth.js';
import type { HandlerGroup } from '../handlers.js';
import { parsePart } from '../mount.js';

/** Inbound board webhooks (#16): the user's routes and the agents' payload read. */
export function boardWebhookHandlers(
  s: Services,
): HandlerGroup<'listBoardWebhooks' | 'createBoardWebhook' | 'deleteBoardWebhook' | 'agentGetWebhookPayload'> {
  return {
    listBoardWebhooks: ({ params, query }) => s.webhooks.list(s.boards.getRow(params.board_id).id, query),
    createBoardWebhook: ({ params, body }) => s.webhooks.create(s.boards.getRow(params.board_id).id, body),
    deleteBoardWebhook: ({ params }) => {
      s.webhooks.delete(params.board_id, params.webhook_id);
      return { ok: true };
    },
    // The board is checked against the agent's token before anything is read.
    agentGetWebhookPayload: ({ actor, params, query }) =>
      s.webhooks.payload(s.boards.accessible(actor, params.board_id).id, params.webhook_id, params.payload_id, query.max_chars),
  };
}

/**
 * The open ingest endpoint. The body is read raw (any content type, bounded) so a signature is
 * checked over the exact bytes sent; answers 202 `{ok, board_id, webhook_id, payload_id}`.
 */
export function mountWebhookIngest(router: express.Router, s: Services, resolveActor: ActorResolver, maxBodyBytes: number): void {
  const route = ROUTES.ingestBoardWebhook as RouteDef;
  const raw = express.raw({ type: () => true, limit: maxBodyBytes });
  router.post(route.path.replace(/\{(\w+)\}/g, ':$1'), raw, (req: Request, res: Response) => {
    resolveActor(req, route);
    const params = parsePart(route.params, req.params, 'path') as { board_id: string; webhook_id: string };
    const result = s.webhooks.ingest(params.board_id, params.webhook_id, {
      raw: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
      headers: req.headers,
      sourceIp: req.socket.remoteAddress ?? null,
    });
    res.status(202).json(result);
  });
}
