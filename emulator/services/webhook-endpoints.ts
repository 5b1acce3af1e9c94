// Webhook endpoints: where emulator/delivery sends signed events. The secret is generated
// here and returned on every read, as the WorkOS API does for endpoint owners.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { EmulatorContext } from './context.ts';
import type { WebhookEndpointWire } from '../state/types.ts';
import { conflict, notFound } from './errors.ts';
import { parseInput } from './input.ts';
import { paginate, type ListParams } from './pagination.ts';

const CreateWebhookEndpointInput = z.object({
  endpoint_url: z.url(),
  // The spec allows an empty list; delivery then sends the endpoint every event (delivery/dispatcher.ts).
  events: z.array(z.string().min(1)),
  /** Emulator extension: fix the signing secret (seeds, tests). */
  secret: z.string().min(16).optional(),
});

const UpdateWebhookEndpointInput = z.object({
  endpoint_url: z.url().optional(),
  events: z.array(z.string().min(1)).optional(),
  status: z.enum(['enabled', 'disabled']).optional(),
});

function requireWebhookEndpoint(ctx: EmulatorContext, id: string): WebhookEndpointWire {
  const endpoint = ctx.world.webhookEndpoints.get(id);
  if (!endpoint) throw notFound('WebhookEndpoint', id);
  return endpoint;
}

export function createWebhookEndpoint(ctx: EmulatorContext, body: unknown): WebhookEndpointWire {
  const input = parseInput(CreateWebhookEndpointInput, body);
  const { world } = ctx;
  if ([...world.webhookEndpoints.values()].some((e) => e.endpoint_url === input.endpoint_url)) {
    throw conflict('duplicate_endpoint', 'A webhook endpoint with this URL already exists.');
  }
  const now = world.nowIso();
  const endpoint: WebhookEndpointWire = {
    object: 'webhook_endpoint',
    id: world.newId('we'),
    endpoint_url: input.endpoint_url,
    secret: input.secret ?? randomBytes(24).toString('base64url'),
    status: 'enabled',
    events: [...new Set(input.events)],
    created_at: now,
    updated_at: now,
  };
  world.webhookEndpoints.set(endpoint.id, endpoint);
  return { ...endpoint, events: [...endpoint.events] };
}

export function listWebhookEndpoints(ctx: EmulatorContext, params: ListParams) {
  return paginate(ctx.world.webhookEndpoints.values(), params, (e) => ({ ...e, events: [...e.events] }));
}

export function getWebhookEndpoint(ctx: EmulatorContext, id: string): WebhookEndpointWire {
  const e = requireWebhookEndpoint(ctx, id);
  return { ...e, events: [...e.events] };
}

export function updateWebhookEndpoint(ctx: EmulatorContext, id: string, body: unknown): WebhookEndpointWire {
  const input = parseInput(UpdateWebhookEndpointInput, body);
  const endpoint = requireWebhookEndpoint(ctx, id);
  if (input.endpoint_url !== undefined && input.endpoint_url !== endpoint.endpoint_url) {
    if ([...ctx.world.webhookEndpoints.values()].some((e) => e.endpoint_url === input.endpoint_url)) {
      throw conflict('duplicate_endpoint', 'A webhook endpoint with this URL already exists.');
    }
    endpoint.endpoint_url = input.endpoint_url;
  }
  if (input.events !== undefined) endpoint.events = [...new Set(input.events)];
  if (input.status !== undefined) endpoint.status = input.status;
  endpoint.updated_at = ctx.world.nowIso();
  return { ...endpoint, events: [...endpoint.events] };
}

export function deleteWebhookEndpoint(ctx: EmulatorContext, id: string): void {
  requireWebhookEndpoint(ctx, id);
  ctx.world.webhookEndpoints.delete(id);
}
