/** Child processes driven over IPC, with bounded waits and a stop that always ends them. */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { FromChild, ToChild } from './protocol.js';

export interface Child {
  name: string;
  send(msg: ToChild): void;
  /** The next message, or a rejection if the child dies, reports an error or exceeds `timeoutMs`. */
  next<T extends FromChild['type']>(type: T, timeoutMs: number): Promise<Extract<FromChild, { type: T }>>;
  stop(): Promise<void>;
}

/**
 * `script` is relative to this folder, or absolute with `cwd` the checkout it belongs to (the A/B run's
 * other build, which resolves its own modules from there).
 */
export function startChild(name: string, script: string, args: string[] = [], cwd?: string, nodeArgs: string[] = []): Child {
  // Same Node, same tsx loader for every child, so the baseline and the backend differ only in code.
  const path = script.startsWith('/') ? script : fileURLToPath(new URL(script, import.meta.url));
  const proc: ChildProcess = fork(path, args, {
    cwd,
    execArgv: ['--import', 'tsx', ...nodeArgs],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const inbox: FromChild[] = [];
  let waiter: ((msg: FromChild | Error) => void) | undefined;
  let exited: Error | undefined;
  const deliver = (msg: FromChild | Error) => {
    if (waiter) waiter(msg);
    else if (!(msg instanceof Error)) inbox.push(msg);
  };
  proc.on('message', (msg: FromChild) => deliver(msg));
  proc.on('exit', (code, signal) => {
    exited = new Error(`${name} exited (code ${code}, signal ${signal})`);
    deliver(exited);
  });

  return {
    name,
    send: (msg) => proc.send(msg),
    next(type, timeoutMs) {
      return new Promise((resolve, reject) => {
        const settle = (msg: FromChild | Error) => {
          clearTimeout(timer);
          waiter = undefined;
          if (msg instanceof Error) reject(msg);
          else if (msg.type === 'error') reject(new Error(`${name}: ${msg.message}`));
          else if (msg.type !== type) reject(new Error(`${name}: expected '${type}', got '${msg.type}'`));
          else resolve(msg as Extract<FromChild, { type: typeof type }>);
        };
        const timer = setTimeout(() => settle(new Error(`${name}: no '${type}' within ${timeoutMs} ms`)), timeoutMs);
        const queued = inbox.shift();
        if (queued) settle(queued);
        else if (exited) settle(exited);
        else waiter = settle;
      });
    },
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const gone = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
      proc.kill('SIGTERM');
      const kill = setTimeout(() => proc.kill('SIGKILL'), 3000);
      await gone;
      clearTimeout(kill);
    },
  };
}
