// Registered AuthKit redirect URIs. WorkOS refuses to send a code to an unregistered redirect
// URI (an open redirector would leak codes); the emulator does the same once any URI is
// registered, and accepts any while none is, so tests need no setup.
import { z } from 'zod';
import type { EmulatorContext } from './context.ts';
import type { RedirectUriWire } from '../state/types.ts';
import { EmulatorError } from './errors.ts';
import { parseInput } from './input.ts';

const CreateRedirectUriInput = z.object({ uri: z.url() });

export function createRedirectUri(ctx: EmulatorContext, body: unknown): RedirectUriWire {
  const input = parseInput(CreateRedirectUriInput, body);
  const { world } = ctx;
  if ([...world.redirectUris.values()].some((r) => r.uri === input.uri)) {
    throw new EmulatorError(400, {
      code: 'redirect_uri_already_exists',
      message: 'This redirect URI is already registered.',
    });
  }
  const now = world.nowIso();
  const record: RedirectUriWire = {
    object: 'redirect_uri',
    id: world.newId('redirect_uri'),
    uri: input.uri,
    default: world.redirectUris.size === 0,
    created_at: now,
    updated_at: now,
  };
  world.redirectUris.set(record.id, record);
  return { ...record };
}

/** The device verification page's own callback (hosted by WorkOS, so never registered by the app). */
export const DEVICE_CALLBACK_PATH = '/device/callback';

export function isRedirectUriAllowed(ctx: EmulatorContext, uri: string): boolean {
  if (ctx.world.redirectUris.size === 0) return true;
  if (uri === `${ctx.config.baseUrl}${DEVICE_CALLBACK_PATH}`) return true;
  return [...ctx.world.redirectUris.values()].some((r) => r.uri === uri);
}
