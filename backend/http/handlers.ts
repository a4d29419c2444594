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

/** Routes that stream (server-sent events) instead of answering once; mounted by hand. */
export type StreamRouteName = 'eventStream';

/** The typed handler map: the compiler refuses an app that misses a contract route. */
export type Handlers = { [K in Exclude<RouteName, StreamRouteName>]: Handler<Routes[K]> };
export type HandlerGroup<K extends RouteName> = { [P in K]: Handler<Routes[P]> };
