import { z } from 'zod';
import { ErrorResponse } from './common.js';
import { descriptionOf, hintsOf } from './openapi-hints.js';
import type { RouteDef } from './route.js';
import { ROUTES } from './routes.js';

type JsonSchema = Record<string, unknown>;

const toSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  return rest;
};

function parametersOf(schema: z.ZodType | undefined, where: 'path' | 'query') {
  if (!schema) return [];
  const json = toSchema(schema, 'input');
  const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json.required as string[] | undefined) ?? []);
  return Object.entries(properties).map(([name, propertySchema]) => ({
    name,
    in: where,
    required: where === 'path' || (required.has(name) && propertySchema.default === undefined),
    schema: propertySchema,
  }));
}

const errorContent = { 'application/json': { schema: toSchema(ErrorResponse, 'output') } };

/**
 * The OpenAPI 3.1 document, generated from the route table (never written by hand). Agents fetch it
 * unauthenticated and filter operations by the role tags `agent-main`, `agent-lead`, `agent-worker`.
 */
export function buildOpenApiDocument(options: { serverUrl: string }) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of Object.values(ROUTES) as RouteDef[]) {
    const security =
      route.auth === 'open'
        ? []
        : route.auth === 'agent'
          ? [{ AgentToken: [] }]
          : route.auth === 'user'
            ? [{ LocalToken: [] }]
            : [{ LocalToken: [] }, { AgentToken: [] }];
    const operation: Record<string, unknown> = {
      operationId: route.operationId,
      summary: route.summary,
      description: descriptionOf(route),
      tags: [...route.tags],
      security,
      parameters: [...parametersOf(route.params, 'path'), ...parametersOf(route.query, 'query')],
      responses: {
        [String(route.status ?? 200)]: {
          description: 'Success',
          content: { 'application/json': { schema: toSchema(route.response, 'output') } },
        },
        ...(route.auth !== 'open' && { '401': { description: 'Not authenticated', content: errorContent } }),
        '422': { description: 'Invalid input (detail lists each field path)', content: errorContent },
        ...(route.params && { '404': { description: 'Not found', content: errorContent } }),
        ...(route.method !== 'get' && {
          '409': {
            description: 'Conflict. A blocked task answers detail {message, code: "task_blocked_cannot_transition", blocked_by_task_ids}.',
            content: errorContent,
          },
        }),
        ...Object.fromEntries(
          Object.entries(route.errors ?? {}).map(([status, description]) => [status, { description, content: errorContent }]),
        ),
      },
      ...hintsOf(route),
    };
    if (route.body) {
      operation.requestBody = { required: true, content: { 'application/json': { schema: toSchema(route.body, 'input') } } };
    }
    (paths[route.path] ??= {})[route.method] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'OpenClaw Mission Control',
      version: '1',
      description:
        'Agent API (/api/v1/agent/*, header X-Agent-Token) and user API (Authorization: Bearer <local token>). Compatible with the web edition.',
    },
    servers: [{ url: options.serverUrl }],
    components: {
      securitySchemes: {
        AgentToken: { type: 'apiKey', in: 'header', name: 'X-Agent-Token' },
        LocalToken: { type: 'http', scheme: 'bearer' },
      },
    },
    paths,
  };
}
