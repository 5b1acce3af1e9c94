// CORS origins: the browser origins allowed to call the API (AuthKit's browser client exchanges
// its PKCE code and refreshes from the page). WorkOS keeps them per environment and answers CORS
// only for them; any other origin gets no `Access-Control-Allow-Origin`, so the browser refuses
// to hand the page the response (a foreign page must not read tokens minted for another app).
import { z } from 'zod';
import type { EmulatorContext } from './context.ts';
import type { World } from '../state/world.ts';
import type { CorsOriginWire } from '../state/platform-types.ts';
import { conflict, unprocessable } from './errors.ts';
import { parseInput } from './input.ts';

const CreateCorsOriginInput = z.object({ origin: z.string().min(1) });

/** `scheme://host[:port]` exactly as a browser sends it in `Origin`; anything else is refused. */
export function normalizeOrigin(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash || url.username) return null;
  if (value.replace(/\/$/, '') !== url.origin) return null;
  return url.origin;
}

export function addCorsOrigin(world: World, value: string): CorsOriginWire {
  const origin = normalizeOrigin(value);
  if (!origin) {
    throw unprocessable([
      { field: 'origin', code: 'invalid_origin', message: 'origin must be scheme://host[:port] with no path' },
    ]);
  }
  if ([...world.corsOrigins.values()].some((o) => o.origin === origin)) {
    throw conflict('duplicate_cors_origin', 'CORS origin already exists.');
  }
  const now = world.nowIso();
  const record: CorsOriginWire = {
    object: 'cors_origin',
    id: world.newId('cors_origin'),
    origin,
    created_at: now,
    updated_at: now,
  };
  world.corsOrigins.set(record.id, record);
  return { ...record };
}

export function createCorsOrigin(ctx: EmulatorContext, body: unknown): CorsOriginWire {
  return addCorsOrigin(ctx.world, parseInput(CreateCorsOriginInput, body).origin);
}

/** Replaces the whole list (the control surface and seeds set it in one go). */
export function setCorsOrigins(world: World, origins: string[]): CorsOriginWire[] {
  const before = new Map(world.corsOrigins);
  world.corsOrigins.clear();
  try {
    return [...new Set(origins.map((o) => normalizeOrigin(o) ?? o))].map((o) => addCorsOrigin(world, o));
  } catch (error) {
    world.corsOrigins.clear();
    for (const [id, o] of before) world.corsOrigins.set(id, o);
    throw error;
  }
}

export function isCorsOriginAllowed(world: World, origin: string): boolean {
  for (const o of world.corsOrigins.values()) if (o.origin === origin) return true;
  return false;
}
