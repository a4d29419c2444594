import type { ServerResponse } from 'node:http';

/*
 * Just enough of the OpenAI chat-completions wire format for the gateway's `openai-completions`
 * provider: SSE chunks when it streams (it always does in 2026.9.6), a plain JSON body otherwise.
 */

export const MODEL_ID = 'stub-model';

export type ModelOutput =
  | { kind: 'text'; text: string }
  | { kind: 'tool'; id: string; name: string; arguments: string }
  | { kind: 'error'; status: number; message: string };

/** An upstream failure as OpenAI sends one: the HTTP status and an `{error:{message,type,code}}` body. */
export function writeError(res: ServerResponse, output: Extract<ModelOutput, { kind: 'error' }>): void {
  const type = output.status === 401 ? 'invalid_request_error' : output.status === 429 ? 'rate_limit_error' : 'server_error';
  const code = output.status === 401 ? 'invalid_api_key' : null;
  sendJson(res, output.status, { error: { message: output.message, type, param: null, code } });
}

export interface ChatMessage {
  role: string;
  content?: unknown;
  tool_calls?: { id?: string; function?: { name?: string; arguments?: string } }[];
  tool_call_id?: string;
}

/** Message content is either a string or an array of `{type:'text', text}` parts. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) =>
      part && typeof part === 'object' && typeof (part as { text?: unknown }).text === 'string' ? (part as { text: string }).text : '',
    )
    .join('\n');
}

function usageFor(output: Exclude<ModelOutput, { kind: 'error' }>): {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
} {
  const completion = Math.max(1, Math.ceil((output.kind === 'text' ? output.text : output.arguments).length / 4));
  return { prompt_tokens: 100, completion_tokens: completion, total_tokens: 100 + completion };
}

export function writeStream(res: ServerResponse, output: Exclude<ModelOutput, { kind: 'error' }>, includeUsage: boolean): void {
  const id = `chatcmpl-${Date.now().toString(36)}`;
  const created = Math.floor(Date.now() / 1000);
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}): string =>
    `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: MODEL_ID, choices, ...extra })}\n\n`;

  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  if (output.kind === 'text') {
    res.write(chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]));
    res.write(chunk([{ index: 0, delta: { content: output.text }, finish_reason: null }]));
    res.write(chunk([{ index: 0, delta: {}, finish_reason: 'stop' }]));
  } else {
    const call = { index: 0, id: output.id, type: 'function', function: { name: output.name, arguments: '' } };
    res.write(chunk([{ index: 0, delta: { role: 'assistant', content: null, tool_calls: [call] }, finish_reason: null }]));
    res.write(chunk([{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: output.arguments } }] }, finish_reason: null }]));
    res.write(chunk([{ index: 0, delta: {}, finish_reason: 'tool_calls' }]));
  }
  if (includeUsage) res.write(chunk([], { usage: usageFor(output) }));
  res.end('data: [DONE]\n\n');
}

export function writeJson(res: ServerResponse, output: Exclude<ModelOutput, { kind: 'error' }>): void {
  const message =
    output.kind === 'text'
      ? { role: 'assistant', content: output.text }
      : {
          role: 'assistant',
          content: null,
          tool_calls: [{ id: output.id, type: 'function', function: { name: output.name, arguments: output.arguments } }],
        };
  sendJson(res, 200, {
    id: `chatcmpl-${Date.now().toString(36)}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: MODEL_ID,
    choices: [{ index: 0, message, finish_reason: output.kind === 'text' ? 'stop' : 'tool_calls' }],
    usage: usageFor(output),
  });
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export function modelList(): unknown {
  return { object: 'list', data: [{ id: MODEL_ID, object: 'model', created: 0, owned_by: 'stub' }] };
}
