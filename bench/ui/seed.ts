/*
 * What both UI benchmarks (run.ts, profile.ts) start from: the local user's API, and a board with
 * `tasks` tasks spread over Inbox / In progress / Review (Done needs an approval on a default board).
 */

export type Call = (method: string, path: string, body?: unknown) => Promise<Record<string, unknown>>;

/** Requests as the local user (bearer token), failing loudly on any non-2xx answer. */
export function userApi(backend: { url: string; localToken: string }): { auth: Record<string, string>; call: Call } {
  const auth = { Authorization: `Bearer ${backend.localToken}`, 'Content-Type': 'application/json' };
  const call: Call = async (method, path, body) => {
    const res = await fetch(`${backend.url}${path}`, {
      method,
      headers: auth,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<Record<string, unknown>>;
  };
  return { auth, call };
}

/** A gateway record (nothing listens there), a board with room for 100 agents, and its tasks; the board's id. */
export async function seedBoard(call: Call, tasks: number): Promise<string> {
  const gateway = await call('POST', '/api/v1/gateways', { name: 'bench', url: 'ws://127.0.0.1:9', allow_offline: true });
  const board = await call('POST', '/api/v1/boards', {
    name: 'Big board',
    description: 'bench',
    gateway_id: gateway.id,
    create_lead: false,
    max_agents: 100,
  });
  const boardId = board.id as string;
  for (let i = 0; i < tasks; i++) {
    await call('POST', `/api/v1/boards/${boardId}/tasks`, {
      title: `Task ${i + 1}: ${'make it work '.repeat(1 + (i % 3))}`,
      status: ['inbox', 'in_progress', 'review', 'review'][i % 4],
      priority: ['low', 'medium', 'high'][i % 3],
    });
  }
  return boardId;
}
