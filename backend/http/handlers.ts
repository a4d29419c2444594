import type { z } from 'zod';
import type { RouteDef } from '../contract/route.js';
import type { RouteName, Routes } from '../contract/routes.js';
import type { Actor } from '../services/actor.js';

type Out<S> = [Exclude<S, undefined>] extends [never] ? Record<string, never> : z.output<Exclude<S, undefined>>;

export interface HandlerInput<R extends RouteDef> {
  params: Out<R['params']>;
  query: Out<R['query']>;
  body: Out<R['body']>;
  actor: Actor;
  requestId: string;
}

/** A handler returns the response body (validated against the contract in tests). */
export type Handler<R extends RouteDef> = (input: HandlerInput<R>) => z.input<R['response']> | Promise<z.input<R['response']>>;

/**
 * Routes mounted by hand: the event stream (server-sent events) and the session routes (they answer
 * with a cookie or a redirect). Their inputs are still parsed with the contract's schemas.
 */
export const HAND_MOUNTED = ['eventStream', 'streamBoardGroupMemory', 'ingestBoardWebhook', 'login', 'createSession', 'deleteSession'] as const;
export type StreamRouteName = (typeof HAND_MOUNTED)[number];

/** The typed handler map: the compiler refuses an app that misses a contract route. */
export type Handlers = { [K in Exclude<RouteName, StreamRouteName>]: Handler<Routes[K]> };
export type HandlerGroup<K extends RouteName> = { [P in K]: Handler<Routes[P]> };
