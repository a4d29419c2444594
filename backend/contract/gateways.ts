import { z } from 'zod';
import { Id, Text, Timestamp } from './common.js';

/** ws:// or wss:// with an explicit port, as the web edition's form requires. */
export const GatewayUrl = z
  .string()
  .trim()
  .max(2048)
  .refine(
    (value) => {
      try {
        const url = new URL(value);
        return (url.protocol === 'ws:' || url.protocol === 'wss:') && url.port !== '' && url.hostname !== '';
      } catch {
        return false;
      }
    },
    { message: 'must be a ws:// or wss:// URL with an explicit port, e.g. ws://127.0.0.1:18789' },
  );

/** Secrets are write-only: reads say `has_token`, never the token. */
export const GatewayRead = z.object({
  id: Id,
  name: z.string(),
  url: z.string(),
  has_token: z.boolean(),
  workspace_root: z.string(),
  disable_device_pairing: z.boolean(),
  allow_insecure_tls: z.boolean(),
  main_agent_id: Id.nullable(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type GatewayRead = z.infer<typeof GatewayRead>;

export const GatewayCreate = z.strictObject({
  name: Text(200),
  url: GatewayUrl,
  token: z.string().min(1).max(4096).nullable().optional(),
  workspace_root: Text(1024).default('~/.openclaw'),
  disable_device_pairing: z.boolean().default(false),
  allow_insecure_tls: z.boolean().default(false),
});
export type GatewayCreate = z.infer<typeof GatewayCreate>;

export const GatewayUpdate = z.strictObject({
  name: Text(200).optional(),
  url: GatewayUrl.optional(),
  /** `null` clears the stored token. */
  token: z.string().min(1).max(4096).nullable().optional(),
  workspace_root: Text(1024).optional(),
  disable_device_pairing: z.boolean().optional(),
  allow_insecure_tls: z.boolean().optional(),
});
export type GatewayUpdate = z.infer<typeof GatewayUpdate>;

export const GatewayParams = z.object({ gateway_id: Id });
export const GatewayListQuery = z.object({});
